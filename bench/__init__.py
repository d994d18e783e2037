"""Benchmarks: `make bench [ARGS="--quick --only NAME"]` prints one table and writes bench/results.json."""
