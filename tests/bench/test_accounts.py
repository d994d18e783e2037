"""The many-accounts figures from a request log: the rate while all keys send, fairness, saturation."""

from datetime import UTC, datetime, timedelta

import pytest

from bench.accounts import Step, aggregate_rate, saturation, worst_connection

T0 = datetime(2026, 12, 4, 12, tzinfo=UTC)


def at(*seconds: float) -> list[datetime]:
    return [T0 + timedelta(seconds=s) for s in seconds]


def test_the_aggregate_counts_only_the_window_in_which_every_key_sends() -> None:
    # Key a sends 2/s from 0 to 10 s; key b 2/s from 5 to 15 s: both send from 5 to 10 s, 4 per second.
    a = at(*(i / 2 for i in range(21)))
    b = at(*(5 + i / 2 for i in range(21)))
    assert aggregate_rate({"a": a, "b": b}) == pytest.approx(22 / 5)


def test_keys_that_never_overlap_are_counted_over_the_whole_span() -> None:
    assert aggregate_rate({"a": at(0, 1, 2), "b": at(10, 11, 12)}) == pytest.approx(6 / 12)


def test_the_worst_connection_is_the_one_furthest_over_its_own_floor() -> None:
    times = {"fast": at(*(i / 2 for i in range(20))), "slow": at(*range(10))}
    finished = {"fast": T0 + timedelta(seconds=10), "slow": T0 + timedelta(seconds=10)}
    assert worst_connection(times, finished) == (10.0, 5.0)  # 10 requests at 2/s: floor 5 s, took 10


def _step(connections: int, aggregate: float) -> Step:
    return Step(connections, 2, 25, aggregate, connections * 2.0, 0, 0, 1.0, 1.0, 0, 1.0)


def test_saturation_is_the_first_step_under_ninety_percent_or_past_the_last() -> None:
    assert saturation([_step(10, 20), _step(25, 49), _step(50, 80), _step(100, 100)]) == 50
    assert saturation([_step(10, 20), _step(100, 190)]) == 101
