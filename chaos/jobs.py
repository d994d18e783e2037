"""Campaign 2, jobs: sync runs, webhook refreshes and queued writes for several connections, while pool
children and the worker's main process are SIGKILLed (the main process 10 times at full size).

Must hold: every job finishes (no run stuck or failed, no event unprocessed, no write unsent) and no
effect happens twice (each write creates exactly one upstream contact; no event is claimed again unless
a kill took it from the worker; no mirror row exists twice), and every mirror equals its sandbox.
"""

import os
import random
import signal
import time
import uuid

from chaos.cluster import Beat, Cluster
from chaos.common import full_sync_now, held_now, mirror_problems, new_connection, skip_time, wait_until
from chaos.report import Outcome


def issue(kind: str, connection, org, rng: random.Random, contact_ids: list[str], index: int, seed: int) -> int:
    """Hand one job to the workers the way the app does; returns the row that tracks it."""
    from connections.models import SyncRun
    from connections.sync import start_sync
    from connections.writes import enqueue_write, schedule_push
    from contacts.validation import writable
    from webhooks.models import WebhookEvent
    from webhooks.receiver import store

    if kind == "sync":
        return start_sync(connection=connection, kind=SyncRun.Kind.INCREMENTAL).pk
    if kind == "refresh":
        contact_id = rng.choice(contact_ids)
        org.mutate("contact", "change", contact_id, {"note": f"seed {seed} job {index}"})
        event_date = f"2026-02-01T00:{index // 60 % 60:02d}:{index % 60:02d}.{seed:03d}Z"
        store(
            connection,
            {
                "organizationId": str(connection.organization_id),
                "eventType": "contact.changed",
                "resourceId": contact_id,
                "eventDate": event_date,
            },
        )  # the receiver's own path
        return WebhookEvent.objects.get(connection=connection, resource_id=contact_id, event_date=event_date).pk
    name = f"Chaos Job {seed}-{index} {uuid.uuid4().hex[:6]}"
    payload = writable({"roles": {"vendor": {}}, "company": {"name": name}})
    entry = enqueue_write(
        connection=connection, user=None, operation_name="create_contact", payload=payload | {"version": 0}
    )
    schedule_push(entry.pk)
    return entry.pk


def run(cluster: Cluster, *, seed: int, quick: bool) -> Outcome:
    from contacts.models import Contact

    outcome = Outcome("jobs", seed)
    rng = random.Random(seed)
    total, main_kills = (45, 3) if quick else (300, 10)
    pairs = [
        new_connection(cluster, seed=seed + n, label=f"jobs {n}", contacts=8, vouchers=10, invoices=3)
        for n in range(2 if quick else 6)
    ]
    for connection, _ in pairs:
        full_sync_now(connection)
    ids = [c.pk for c, _ in pairs]
    contacts = {
        c.pk: [str(x) for x in Contact.objects.filter(connection=c).values_list("lexoffice_id", flat=True)]
        for c, _ in pairs
    }
    jobs: dict[str, set[int]] = {"sync": set(), "refresh": set(), "write": set()}
    sync_requests = 0
    interrupted: set[int] = set()
    worker = cluster.start_worker(concurrency=2)
    beat = Beat(interval=5, sweep_after=5) if quick else Beat(interval=30)
    beat.start()
    rounds = main_kills * 2  # a child kill, then a main-process kill, each after a batch of jobs
    try:
        for round_ in range(rounds):
            for index in range(round_ * total // rounds, (round_ + 1) * total // rounds):
                kind = ("sync", "refresh", "write")[index % 3]
                sync_requests += kind == "sync"
                connection, org = pairs[index % len(pairs)]
                jobs[kind].add(issue(kind, connection, org, rng, contacts[connection.pk], index, seed))
            time.sleep(rng.uniform(0.5, 2.0))  # let the worker get into the batch
            if round_ % 2 == 0:
                children = cluster.pool_children(worker)
                if children:
                    victim = rng.choice(children)
                    os.kill(victim, signal.SIGKILL)
                    interrupted |= held_now(ids)["events"]  # over-counts: the other child's claims too
                    outcome.faults.append("child SIGKILL")
            else:
                cluster.kill_worker(worker)
                interrupted |= held_now(ids)["events"]  # no worker runs now: what the dead one held
                outcome.faults.append("main SIGKILL")
                if quick:
                    skip_time(ids, 150)
                worker = cluster.start_worker(concurrency=2)
        finished = wait_until(
            lambda: _open(ids) == 0, timeout=240 if quick else 900, what="every job to finish", every=1
        )
    finally:
        beat.stop()
        cluster.kill_worker(worker)
    if not finished:
        outcome.notes.append(f"{_open(ids)} jobs still open at the deadline")
    _check(outcome, pairs, jobs, interrupted)
    outcome.notes.append(
        f"{sync_requests} sync requests became {len(jobs['sync'])} runs (a request while a run is unfinished joins it)"
    )
    outcome.faults = [
        f"pool child SIGKILLed {outcome.faults.count('child SIGKILL')}x",
        f"worker main process SIGKILLed {outcome.faults.count('main SIGKILL')}x",
    ]
    return outcome


def _open(ids: list[int]) -> int:
    from connections.models import OutboxEntry, SyncRun
    from webhooks.models import WebhookEvent

    return (
        SyncRun.objects.unfinished().filter(connection_id__in=ids).count()
        + WebhookEvent.objects.pending().filter(connection_id__in=ids).count()
        + OutboxEntry.objects.pending().filter(connection_id__in=ids).count()
    )


def _check(outcome: Outcome, pairs: list, jobs: dict[str, set[int]], interrupted: set[int]) -> None:
    from django.db.models import Count

    from connections.models import OutboxEntry, SyncRun
    from contacts.models import Contact
    from vouchers.models import Voucher
    from webhooks.models import WebhookEvent

    runs = SyncRun.objects.filter(pk__in=jobs["sync"])
    bad_runs = list(runs.exclude(state=SyncRun.State.SUCCEEDED).values_list("pk", "state", "error"))
    outcome.problem(f"sync runs not succeeded: {bad_runs[:5]}", lost=len(bad_runs))
    events = WebhookEvent.objects.filter(pk__in=jobs["refresh"])
    unprocessed = list(events.exclude(state=WebhookEvent.State.PROCESSED).values_list("pk", "state"))
    outcome.problem(f"refresh events not processed: {unprocessed[:5]}", lost=len(unprocessed))
    twice = [pk for pk in events.filter(attempts__gt=1).values_list("pk", flat=True) if pk not in interrupted]
    outcome.problem(f"events claimed again without a kill: {twice[:5]}", duplicated=len(twice))
    entries = OutboxEntry.objects.filter(pk__in=jobs["write"])
    unsent = list(entries.exclude(state=OutboxEntry.State.SENT).values_list("pk", "state", "error"))
    outcome.problem(f"writes not sent: {unsent[:5]}", lost=len(unsent))
    by_connection = {c.pk: org for c, org in pairs}
    upstream_copies = []
    for entry in entries:
        name = entry.payload["company"]["name"]
        found = by_connection[entry.connection_id].api("GET", "/v1/contacts", params={"name": name}).json()["content"]
        upstream_copies.append(sum(1 for c in found if c.get("company", {}).get("name") == name))
    outcome.problem(f"writes missing upstream: {upstream_copies.count(0)}", lost=upstream_copies.count(0))
    outcome.problem("writes created more than once upstream", duplicated=sum(n - 1 for n in upstream_copies if n > 1))
    for model in (Contact, Voucher):
        doubles = (
            model.objects.filter(connection_id__in=by_connection)
            .values("connection_id", "lexoffice_id")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .count()
        )
        outcome.problem(f"{model.__name__} rows mirrored twice", duplicated=doubles)
    for connection, org in pairs:
        differences = mirror_problems(connection, org)
        outcome.problem(f"connection {connection.pk} mirror differs: {differences[:5]}", unexpected=len(differences))
    outcome.ok = (
        runs.filter(state=SyncRun.State.SUCCEEDED).count()
        + events.filter(state=WebhookEvent.State.PROCESSED).count()
        + entries.filter(state=OutboxEntry.State.SENT).count()
    )
    outcome.notes.append(
        f"jobs: {len(jobs['sync'])} sync runs, {len(jobs['refresh'])} refreshes, "
        f"{len(jobs['write'])} writes; {len(interrupted)} events re-claimable after kills"
    )
