"""What the tests, benchmarks and chaos campaigns use to start and drive real servers.

Process handling and free loopback ports (`harness.processes`), private Redis and PostgreSQL servers
(`harness.services`), the sandbox's control client (`harness.sandbox`) and the record-by-record comparison
of the mirror with the sandbox (`harness.mirror`); `python -m harness.load_worker` spends a key's
rate-limit budget from a process of its own.

Plain Python, free of pytest: failures are ordinary exceptions; turning them into test failures or skips
is the business of the fixtures in tests/. The product never imports it (an import contract in
pyproject.toml), and it imports nothing from tests/, bench/ or chaos/.
"""
