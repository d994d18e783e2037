"""The shared budget: several processes on one key stay inside Lexoffice's limit and use nearly all of it."""

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime

import pytest
from django.conf import settings

from harness.processes import ROOT
from lexoffice.ratelimit import FileRateLimiter, RedisRateLimiter
from tests.conftest import require


def limiter_backends() -> list[str]:
    return ["file", "redis"]


def backend_env(backend: str, tmp_path) -> dict[str, str]:
    if backend == "redis":
        require(bool(settings.REDIS_URL), "REDIS_URL is not set: the Redis limiter needs a Redis")
        return {"REDIS_URL": settings.REDIS_URL}
    return {"REDIS_URL": "", "LEXHUB_VAR_DIR": str(tmp_path / "var")}


@pytest.mark.parametrize("backend", limiter_backends())
def test_four_processes_and_a_person_share_one_key_without_a_429(sandbox_server, backend, tmp_path) -> None:
    rate, seconds = 20.0, 20.0
    env = {**os.environ, **backend_env(backend, tmp_path)}
    org = sandbox_server.new_org(rate_limit=rate, burst=2)
    command = [
        sys.executable,
        "-m",
        "harness.load_worker",
        "--base-url",
        org.base_url,
        "--api-key",
        org.api_key,
        "--rate",
        str(rate),
        "--seconds",
        str(seconds),
    ]
    workers = [
        subprocess.Popen([*command, "--lane", "backfill"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    person = subprocess.Popen(
        [*command, "--lane", "interactive", "--pause", "1"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    results = [json.loads(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in [*workers, person]]

    log = [r for r in org.requests_log() if r["path"] == "/v1/profile"]
    per_second = Counter(datetime.fromisoformat(r["time"]).replace(microsecond=0) for r in log)
    busy_seconds = sorted(per_second.items())[1:-1]  # whole seconds only
    assert org.counters()["429"] == 0
    assert sum(r["429"] for r in results) == 0
    assert max(count for _second, count in busy_seconds) <= rate + 2
    assert len(log) >= 0.95 * rate * seconds
    assert max(r["reserve_p99_ms"] for r in results) <= 10
    assert results[-1]["sent"] >= seconds / 2  # the person got through all along


@pytest.mark.parametrize("backend", limiter_backends())
def test_a_click_waits_at_most_a_second_and_a_half_behind_a_saturating_backfill(backend, tmp_path) -> None:
    if backend == "redis":
        require(bool(settings.REDIS_URL), "REDIS_URL is not set: the Redis limiter needs a Redis")
        limiter = RedisRateLimiter(settings.REDIS_URL)
    else:
        limiter = FileRateLimiter(tmp_path / "ratelimit")
    bucket = f"test-{os.getpid()}-{time.monotonic_ns()}"
    stop = threading.Event()

    granted = []

    def backfill() -> None:
        while not stop.is_set():
            limiter.acquire(bucket, rate=2.0, lane="backfill", max_wait=30)
            granted.append(time.monotonic())

    threads = [threading.Thread(target=backfill, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(granted) < 3:  # the backfill is using the whole budget before the person clicks
        assert time.monotonic() < deadline
        time.sleep(0.05)
    waits = []
    for _ in range(4):
        waits.append(limiter.acquire(bucket, rate=2.0, lane="interactive", max_wait=30))
        time.sleep(0.3)
    stop.set()

    assert max(waits) <= 1.5, waits


@pytest.mark.parametrize("backend", limiter_backends())
def test_backlogs_reads_each_bucket_in_order_and_idle_ones_as_zero(backend, tmp_path) -> None:
    if backend == "redis":
        require(bool(settings.REDIS_URL), "REDIS_URL is not set: the Redis limiter needs a Redis")
        limiter: FileRateLimiter | RedisRateLimiter = RedisRateLimiter(settings.REDIS_URL)
    else:
        limiter = FileRateLimiter(tmp_path / "ratelimit")
    busy, idle, busier = (f"test-{os.getpid()}-{time.monotonic_ns()}-{name}" for name in ("a", "b", "c"))
    for bucket, slots in ((busy, 2), (busier, 5)):
        for _ in range(slots):
            assert limiter.reserve(bucket, interval=10.0, horizon=3600)[0]

    backlogs = limiter.backlogs([busy, idle, busier])

    assert 5 < backlogs[0] <= 20 and backlogs[1] == 0.0 and 35 < backlogs[2] <= 50, backlogs
    assert limiter.backlog(busier) == pytest.approx(backlogs[2], abs=1.0)
    assert limiter.backlogs([]) == []
