"""The bench's verdicts: an anchored row is judged on its ratio to the anchor, an unanchored one as before."""

import json
import time
from pathlib import Path

import pytest

import bench.__main__ as bench_main
from bench import anchors
from bench.noise import neighbour
from bench.rows import Row
from bench.server import cpu_by_process, cpu_spent, postgres_pids
from bench.table import table
from tests.conftest import require


def test_a_row_without_an_anchor_is_judged_on_its_figure_as_before() -> None:
    assert Row("p95", 30, 29.0, "ms").passed
    assert not Row("p95", 30, 31.0, "ms").passed
    assert Row("rate", 400, 401, "req/s", higher_is_better=True).passed
    assert not Row("rate", 400, 399, "req/s", higher_is_better=True).passed
    assert Row("p95", 30, 15.0, "ms").ratio == 0.5
    assert Row("p95", 30, 29.0, "ms").as_json() == {
        "name": "p95",
        "target": 30,
        "measured": 29.0,
        "unit": "ms",
        "anchor": None,
        "anchor_measured": None,
        "ratio": None,
        "pass": True,
    }


def test_an_anchored_row_is_judged_on_the_ratio_whatever_the_absolute_figure() -> None:
    # A slow machine: 60 ms is far over any absolute budget, but 0.3 x the anchor meets 0.35 x.
    slow = Row("p95", 0.35, 60.0, "ms", anchor="plain", anchor_measured=200.0)
    assert slow.ratio == pytest.approx(0.3) and slow.passed
    # A fast machine: 20 ms looks fine, but 0.4 x the anchor does not.
    fast = Row("p95", 0.35, 20.0, "ms", anchor="plain", anchor_measured=50.0)
    assert not fast.passed
    rate = Row("rate", 3.0, 450, "req/s", higher_is_better=True, anchor="plain", anchor_measured=140)
    assert rate.passed and not Row("rate", 3.0, 400, "req/s", True, "plain", 140).passed
    assert rate.as_json()["anchor_measured"] == 140
    assert rate.as_json()["ratio"] == pytest.approx(450 / 140)


def test_the_table_shows_the_anchor_and_the_ratio_and_names_each_anchor() -> None:
    printed = table([Row("rate", 3.0, 450, "req/s", True, "plain DRF", 150), Row("errors", 0, 1, "count")])
    rate, errors = printed.splitlines()[2:4]
    assert "≥3.00x" in rate and "150.00" in rate and "3.00" in rate and rate.endswith("pass")
    assert errors.endswith("FAIL") and "x" not in errors.split()[1]
    assert printed.count("  - plain DRF") == 1


def test_sides_alternate_in_rotating_order() -> None:
    calls: list[str] = []
    results = anchors.alternate(
        {name: (lambda name=name: calls.append(name) or {"n": len(calls)}) for name in "ABC"}, rounds=4
    )
    assert calls == list("ABCBCACABABC")
    assert [r["n"] for r in results["A"]] == [1, 6, 8, 10]
    assert anchors.median([{"x": 1}, {"x": 9}, {"x": 3}], "x") == 3


def test_results_keep_the_sections_not_run_and_replace_those_run(tmp_path: Path, monkeypatch) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps([{"section": "sync", "name": "old sync"}, {"section": "lists", "name": "old"}]))
    monkeypatch.setattr(bench_main, "RESULTS", results)
    merged = bench_main.merged([{"section": "lists", "name": "new"}], ran={"lists"})
    assert [row["name"] for row in merged] == ["old sync", "new"]


def _cpu_seconds(pid: int) -> float:
    return sum(cpu_by_process([pid]).values())


def _until_it_has_spent(pid: int, seconds: float) -> None:
    deadline = time.monotonic() + 20
    while _cpu_seconds(pid) < seconds:  # it spins: the CPU comes soon, however busy the machine
        assert time.monotonic() < deadline, "the neighbour does not use the CPU"
        time.sleep(0.05)


def test_the_noise_neighbour_burns_a_core_and_is_ended_by_its_pid() -> None:
    with neighbour() as pid:
        assert pid is not None
        _until_it_has_spent(pid, 0.5)
    assert not Path(f"/proc/{pid}").exists()  # ended and reaped when the block ends
    with neighbour(enabled=False) as nothing:
        assert nothing is None


def test_cpu_spent_counts_a_process_started_meanwhile_and_subtracts_none_that_ended() -> None:
    with neighbour() as ended:
        _until_it_has_spent(ended, 0.5)
        before = cpu_by_process([ended])
    with neighbour() as started:
        _until_it_has_spent(started, 0.2)
        spent = cpu_spent(before, [ended, started])
        started_total = _cpu_seconds(started)
    # The ended one's half second is not taken off (which would leave less than nothing); the new one counts.
    assert before[next(iter(before))] >= 0.5
    assert 0.2 <= spent <= started_total


@pytest.mark.django_db
def test_the_backends_of_a_database_are_found_by_their_process_titles() -> None:
    from django.db import connection

    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL) for its server processes")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        ours = cursor.fetchone()[0]
    backends = postgres_pids(connection.settings_dict["NAME"])
    assert ours in backends
    assert set(backends) < set(postgres_pids())  # everything else: the writers, other databases' backends
