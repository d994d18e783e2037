"""Many accounts: a tax office with 50 clients. One sandbox with an organization per client (each its own
key at 2 requests per second, Lexoffice's limit), Lexhub with a connection per organization, all synced at
once by real Celery workers (threads pool: a sync spends its time waiting on the rate limit, not the CPU).

Figures, from the sandbox's request log:
- aggregate upstream rate while every connection syncs, against n x 2 requests per second (each key at
  its limit), and the 429s (none may reach the sandbox);
- fairness: the slowest connection's time from its first request to its run's end against its own floor
  (its requests ÷ 2 per second);
- one worker process against two, at 50 connections: the ratio of aggregate rates;
- the saturation point: stepping 10, 25, 50, 100 connections, the first at which the aggregate falls
  under 0.9 x n x 2 per second.

Every running sync holds one PostgreSQL connection; worker threads are capped (BENCH_ACCOUNTS_MAX_THREADS,
default 60) to stay well inside max_connections (100 here) beside whatever else uses the server.
"""

import logging
import math
import os
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

import requests
from django.contrib.auth import get_user_model

from bench import accounts_webhooks, env
from bench.rows import Row
from sandbox.store import fingerprint

RATE = 2.0
STEPS = (10, 25, 50, 100)
MAIN = 50
MAX_THREADS = int(os.environ.get("BENCH_ACCOUNTS_MAX_THREADS", "60"))


@dataclass
class Step:
    connections: int
    processes: int
    threads: int  # per process
    aggregate: float  # requests per second while all sync
    ideal: float  # connections x RATE
    too_many: int
    requests: int
    worst_wall: float  # the slowest connection: first request to the end of its run, seconds
    worst_floor: float  # that connection's requests ÷ RATE
    failed_runs: int
    seconds: float

    @property
    def share(self) -> float:
        return self.aggregate / self.ideal


def aggregate_rate(times: dict[str, list[datetime]]) -> float:
    """Requests per second over the window in which every key was sending (its first to its last
    request); over the whole span when that window is shorter than two seconds (keys that did not overlap)."""
    firsts = [min(t) for t in times.values() if t]
    lasts = [max(t) for t in times.values() if t]
    start, end = max(firsts), min(lasts)
    if (end - start).total_seconds() < 2:
        start, end = min(firsts), max(lasts)
    span = (end - start).total_seconds()
    sent = sum(1 for moments in times.values() for moment in moments if start <= moment <= end)
    return sent / span if span > 0 else 0.0


def worst_connection(times: dict[str, list[datetime]], finished: dict[str, datetime]) -> tuple[float, float]:
    """(wall, floor) of the connection with the highest wall ÷ floor: wall from its first request upstream
    to its run's end, floor its requests ÷ RATE."""
    pairs = [
        ((finished[key] - min(moments)).total_seconds(), len(moments) / RATE)
        for key, moments in times.items()
        if moments
    ]
    return max(pairs, key=lambda pair: pair[0] / pair[1])


def organizations(base_url: str, count: int, *, quick: bool) -> list[dict]:
    """`count` organizations of one small tax-office client each (seeded alike), their limit off while
    Lexhub connects, so connecting does not wait on it."""
    size = {"contacts": 5, "vouchers": 16, "invoices": 4} if quick else {"contacts": 20, "vouchers": 60, "invoices": 15}
    return [
        requests.post(
            f"{base_url}/_sandbox/organizations", json={"seed": 11, **size, "rateLimit": 0, "burst": 2}, timeout=60
        ).json()
        for _ in range(count)
    ]


def connect(base_url: str, orgs: list[dict]) -> tuple[list, dict]:
    """One connection per organization: the first MAIN owned by one tax office, the next by a user with just
    that one (the dashboard's anchor), the rest by a third. Users are new per run, so pages show this run's."""
    from connections.services import create_connection

    run_id = uuid.uuid4().hex[:6]
    users = {
        role: get_user_model().objects.create_user(username=f"bench-{role}-{run_id}")
        for role in ("office", "single", "rest")
    }

    def owner(index: int):
        return users["office"] if index < MAIN else users["single"] if index == MAIN else users["rest"]

    logging.getLogger("connections.services").setLevel(logging.WARNING)  # not a line per connection
    connections = [
        create_connection(
            name=f"client {index} {run_id}",
            api_key=org["apiKey"],
            owner=owner(index),
            base_url=base_url,
            rate_limit=RATE,
        )
        for index, org in enumerate(orgs)
    ]
    for org in orgs:
        requests.post(f"{base_url}/_sandbox/config", json={"apiKey": org["apiKey"], "rateLimit": RATE}, timeout=10)
    return connections, users


def pages(users: dict, *, quick: bool) -> list[Row]:
    """The tax office's dashboard and lists over its MAIN connections, each request interleaved with its anchor:
    the dashboard of a user with one connection, the lists' offset-Paginator pages (bench/anchor_views.py)."""
    from bench.lists_api import interleaved
    from bench.server import gunicorn, session_cookie

    count = 120 if quick else 600
    office, single = session_cookie(users["office"]), session_cookie(users["single"])
    rows = []
    with gunicorn(workers=2) as server:
        base = server.base_url
        interleaved(base, {"warm": ["/", "/vouchers/", "/contacts/"]}, {"Cookie": office}, 10)
        dashboard = load_pair(base, ("/", office), ("/", single), count)
        print(f"   dashboard, {MAIN} connections and 1 connection alternately: {dashboard}", flush=True)
        rows.append(
            Row(
                f"accounts: dashboard with {MAIN} connections, server p95",
                5.0,
                dashboard["by_tag"]["Lexhub"]["server_p95_ms"],
                "ms",
                anchor="the dashboard of a user with 1 connection, interleaved",
                anchor_measured=dashboard["by_tag"]["anchor"]["server_p95_ms"],
            )
        )
        for path in ("/vouchers/", "/contacts/"):
            result = load_pair(base, (path, office), (f"/_anchor/ui{path}", office), count)
            print(f"   {path} over {MAIN} connections, Lexhub and offset alternately: {result}", flush=True)
            rows.append(
                Row(
                    f"accounts: UI {path} first page over {MAIN} connections, server p95",
                    1.0,
                    result["by_tag"]["Lexhub"]["server_p95_ms"],
                    "ms",
                    anchor="the same page with Django's offset Paginator, interleaved",
                    anchor_measured=result["by_tag"]["anchor"]["server_p95_ms"],
                )
            )
    return rows


def load_pair(base_url: str, ours: tuple[str, str], anchor: tuple[str, str], count: int) -> dict:
    """(path, cookie) of Lexhub's page and of its anchor, requested alternately in one load run."""
    from bench.load import load

    return load(
        {
            "rate": 0,
            "concurrency": 8,
            "requests": [
                {"method": "GET", "url": f"{base_url}{path}", "headers": {"Cookie": cookie}, "tag": tag}
                for _ in range(count)
                for tag, (path, cookie) in (("Lexhub", ours), ("anchor", anchor))
            ],
        }
    )


def sync_all(base_url: str, orgs: list[dict], connections: list, *, processes: int) -> Step:
    """Full syncs of all `connections` at once, served by `processes` worker processes of threads."""
    from contextlib import ExitStack

    from connections.models import SyncRun
    from connections.sync import start_sync
    from lexhub.celery import app as celery_app

    n = len(connections)
    threads = max(1, min(math.ceil(n / processes), MAX_THREADS // processes))
    queue = f"bench-accounts-{uuid.uuid4().hex[:8]}"
    celery_app.conf.task_default_queue = queue
    with ExitStack() as stack:
        for _ in range(processes):
            stack.enter_context(env.worker(queue, concurrency=threads, extra=["--pool", "threads"]))
        requests.delete(f"{base_url}/_sandbox/requests", timeout=10)
        began = time.monotonic()
        runs = [start_sync(connection=connection, kind=SyncRun.Kind.FULL) for connection in connections]
        deadline = began + 600  # a quick run's syncs take seconds, a full one's about a minute
        while SyncRun.objects.filter(pk__in=[r.pk for r in runs]).unfinished().exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{n} syncs not finished after {deadline - began:.0f} s")
            time.sleep(0.5)
        seconds = time.monotonic() - began
    log = requests.get(f"{base_url}/_sandbox/requests", timeout=60).json()
    by_fingerprint = {fingerprint(org["apiKey"]): index for index, org in enumerate(orgs[:n])}
    times: dict[str, list[datetime]] = {str(index): [] for index in range(n)}
    too_many = 0
    for entry in log["requests"]:
        if (index := by_fingerprint.get(entry["apiKey"])) is not None:
            times[str(index)].append(datetime.fromisoformat(entry["time"]))
            too_many += entry["status"] == 429
    finished_runs = {r.pk: r for r in SyncRun.objects.filter(pk__in=[r.pk for r in runs])}
    finished = {str(index): finished_runs[run.pk].finished_at for index, run in enumerate(runs)}
    wall, floor = worst_connection(times, finished)
    step = Step(
        connections=n,
        processes=processes,
        threads=threads,
        aggregate=aggregate_rate(times),
        ideal=n * RATE,
        too_many=too_many,
        requests=sum(len(t) for t in times.values()),
        worst_wall=wall,
        worst_floor=floor,
        failed_runs=sum(r.state != SyncRun.State.SUCCEEDED for r in finished_runs.values()),
        seconds=seconds,
    )
    print(
        f"   {n} connections, {processes} process(es) x {threads} threads: {step.aggregate:.1f} req/s of "
        f"{step.ideal:.0f} ({step.share:.0%}), {step.requests} requests, 429s {too_many}, slowest connection "
        f"{wall:.1f} s / floor {floor:.1f} s, failed runs {step.failed_runs}, all done in {seconds:.1f} s",
        flush=True,
    )
    return step


def saturation(steps: list[Step]) -> int:
    """The first number of connections whose aggregate fell under 0.9 x its ideal; one past the largest
    step when none did."""
    for step in sorted(steps, key=lambda s: s.connections):
        if step.share < 0.9:
            return step.connections
    return max(step.connections for step in steps) + 1


def run(quick: bool) -> list[Row]:
    with env.sandbox(["--threads", "32", "--rate-limit", str(RATE)]) as base_url:
        # Every configuration syncs connections of its own: a second full sync of a mirror skips the details
        # it already holds, so it would send a fraction of the requests.
        sizes = [MAIN, MAIN, *(n for n in STEPS if n != MAIN)]
        orgs = organizations(base_url, sum(sizes), quick=quick)
        connections, users = connect(base_url, orgs)
        groups, start = [], 0
        for size in sizes:
            groups.append((orgs[start : start + size], connections[start : start + size]))
            start += size
        one = sync_all(base_url, *groups[0], processes=1)
        two = sync_all(base_url, *groups[1], processes=2)
        steps = [two] + [sync_all(base_url, *group, processes=2) for group in groups[2:]]
        try:
            hook_rows = accounts_webhooks.burst(base_url, orgs[:MAIN], connections[:MAIN])
        except Exception as exc:  # reported as a failed row; the other figures stand
            print(f"   webhooks for {MAIN} connections at once: not measured: {exc!r}", flush=True)
            hook_rows = [Row(f"accounts: {MAIN} webhook deliveries at once, measured", 1, 0, "bool", True)]
    steps.sort(key=lambda s: s.connections)
    page_rows = pages(users, quick=quick)
    print(
        "   saturation steps (2 processes): "
        + ", ".join(f"{s.connections}: {s.aggregate:.1f}/{s.ideal:.0f} req/s ({s.share:.0%})" for s in steps),
        flush=True,
    )
    label = f"accounts {MAIN} connections at {RATE:g}/s each"
    return [
        Row(
            f"{label}: aggregate upstream rate while all sync (1 worker process)",
            0.9,
            one.aggregate,
            "req/s",
            higher_is_better=True,
            anchor=f"{MAIN} x {RATE:g} req/s: every key at its limit",
            anchor_measured=one.ideal,
        ),
        Row(f"{label}: 429s reaching the sandbox (1 and 2 processes)", 0, one.too_many + two.too_many, "count"),
        Row(
            f"{label}: slowest connection, first request to its end (1 process)",
            1.2,
            one.worst_wall,
            "s",
            anchor="that connection's floor: its requests ÷ 2 per second",
            anchor_measured=one.worst_floor,
        ),
        Row(
            f"{label}: aggregate rate, 2 worker processes",
            0.9,
            two.aggregate,
            "req/s",
            higher_is_better=True,
            anchor="the same with 1 worker process, same run",
            anchor_measured=one.aggregate,
        ),
        Row(
            "accounts: connections at which this machine saturates (stepping 10, 25, 50, 100; 2 processes)",
            MAIN,
            saturation(steps),
            "conns",
            higher_is_better=True,
        ),
        Row("accounts: sync runs not succeeded", 0, sum(s.failed_runs for s in [one, *steps]), "count"),
        *hook_rows,
        *page_rows,
    ]
