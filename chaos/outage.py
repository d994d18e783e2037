"""Campaign 4, Lexoffice outage: the sandbox becomes unreachable (connections refused, open ones cut) in
the middle of a sync, for 60 s at full size.

Must hold: mirror pages keep answering 200 during the outage; writes made then are queued (the user is
told so) and pushed exactly once afterwards; the sync resumes and finishes by itself; the mirror then
equals the sandbox, with the new contacts in it.
"""

import random
import threading
import time
import uuid

import requests

from chaos.cluster import Beat, Cluster
from chaos.common import half_written, mirror_problems, new_connection, wait_until
from chaos.proxy import Proxy
from chaos.report import Outcome
from harness.processes import allow_lexoffice_address, free_port

PAGES = ["/", "/contacts/", "/vouchers/", "/invoices/", "/connections/", "/api/v1/connections/"]


def write_while_down(
    connection, user, outcome: Outcome, entries: list[int], rng: random.Random, count: int, within: float
) -> None:
    """Create `count` contacts at random moments of the outage through the write service, as a user would."""
    from django.db import connection as db

    from connections.writes import WriteError, WriteQueued
    from contacts.sync import push_contact

    started = time.monotonic()
    waits = []
    try:
        for at in sorted(rng.uniform(0, within) for _ in range(count)):
            time.sleep(max(0.0, started + at - time.monotonic()))
            name = f"Written Offline {outcome.seed}-{len(entries)} {uuid.uuid4().hex[:6]}"
            began = time.monotonic()
            try:
                push_contact(
                    connection=connection, user=user, data={"roles": {"customer": {}}, "company": {"name": name}}
                )
                outcome.problem(f"write {name!r} went through while Lexoffice was down", unexpected=1)
            except WriteQueued as queued:
                entries.append(queued.entry.pk)
            except WriteError as exc:
                outcome.problem(f"write {name!r} refused: {exc.message}", lost=1)
            waits.append(time.monotonic() - began)
    finally:
        db.close()
    outcome.notes.append(f"a write made during the outage took up to {max(waits, default=0):.1f}s to be queued")


def run(cluster: Cluster, *, seed: int, quick: bool) -> Outcome:
    from connections.models import OutboxEntry, SyncRun
    from connections.sync import start_sync

    outcome = Outcome("outage", seed)
    rng = random.Random(seed)
    proxy = Proxy(cluster.sandbox_port, free_port())
    allow_lexoffice_address(proxy.url)
    proxy.up()
    size = dict(contacts=20, vouchers=40, invoices=10) if quick else dict(contacts=60, vouchers=200, invoices=50)
    connection, org = new_connection(
        cluster, seed=seed, label="outage", rate_limit=15 if quick else 10, base_url=proxy.url, **size
    )
    cookies = cluster.session_cookie()
    worker = cluster.start_worker(concurrency=2)
    beat = Beat(interval=5) if quick else Beat(interval=60)
    beat.start()
    outage, writes = (6, 3) if quick else (60, 10)
    entries: list[int] = []
    try:
        run = start_sync(connection=connection, kind=SyncRun.Kind.FULL)
        threshold = rng.randint(5, 15)
        wait_until(
            lambda: SyncRun.objects.get(pk=run.pk).done >= threshold, timeout=120, what="the sync to start", every=0.05
        )
        proxy.down()
        outcome.faults.append(f"sandbox unreachable after {threshold}+ records for {outage}s")
        ends = time.monotonic() + outage
        writer = threading.Thread(
            target=write_while_down, args=(connection, cluster.owner(), outcome, entries, rng, writes, outage * 0.7)
        )
        writer.start()  # writes block for the client's own retries; pages are probed meanwhile
        rounds = 0
        while time.monotonic() < ends:
            for path in PAGES:
                try:
                    status = requests.get(cluster.web_url + path, cookies=cookies, timeout=20).status_code
                except requests.RequestException as exc:
                    status = type(exc).__name__
                outcome.problem(f"{path} answered {status} during the outage", unexpected=status != 200)
                outcome.ok += status == 200
            rounds += 1
            time.sleep(0.5)
        writer.join()
        proxy.up()
        recovered = time.monotonic()
        wait_until(
            lambda: (
                SyncRun.objects.get(pk=run.pk).is_finished
                and not OutboxEntry.objects.pending().filter(pk__in=entries).exists()
            ),
            timeout=240 if quick else 600,
            what="the sync and the queued writes",
            every=1,
        )
        outcome.notes.append(
            f"sync and writes done {time.monotonic() - recovered:.0f}s after Lexoffice came back; "
            f"{rounds} page rounds, {len(entries)} writes queued during the outage"
        )
    finally:
        beat.stop()
        cluster.kill_worker(worker)
        proxy.down()
    state = SyncRun.objects.get(pk=run.pk).state
    outcome.problem(f"the sync ended {state}", lost=state != SyncRun.State.SUCCEEDED)
    for entry in OutboxEntry.objects.filter(pk__in=entries):
        name = entry.payload["company"]["name"]
        copies = sum(
            1
            for c in org.api("GET", "/v1/contacts", params={"name": name}).json()["content"]
            if c.get("company", {}).get("name") == name
        )
        outcome.problem(
            f"queued write {name!r} is {entry.state}, {copies} upstream copies",
            lost=copies == 0 or entry.state != OutboxEntry.State.SENT,
            duplicated=max(copies - 1, 0),
        )
        outcome.ok += copies == 1
    differences = mirror_problems(connection, org)
    outcome.problem(f"mirror differs from the sandbox: {differences[:5]}", unexpected=len(differences))
    partial = half_written(connection)
    outcome.problem(f"half-written rows: {partial[:5]}", unexpected=len(partial))
    return outcome
