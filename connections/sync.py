"""Sync runs: start one per connection, run its phases, resume after a crash, finish with a state.

Phases are idempotent (upserts that write only what changed), so a run that a dead worker left
behind is simply claimed again once its lease expires; finished phases are checkpointed.
"""

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from connections import changes, leases
from connections.hooks import ordered_sync_steps
from connections.mirror import mark_missing
from connections.models import Connection, SyncRun
from connections.progress import LEASE, Progress
from lexoffice.client import AuthenticationError, Lexoffice, LexofficeError, PermissionDenied

log = logging.getLogger(__name__)

# The voucher list filters by whole days: look back one more so nothing changed near midnight is missed.
INCREMENTAL_OVERLAP = timedelta(days=1)


class SyncBusy(Exception):
    """Another worker holds this run's lease; try again later."""


def start_sync(*, connection: Connection, kind: str = SyncRun.Kind.INCREMENTAL, user: Any = None) -> SyncRun:
    """Queue a sync unless one is already unfinished for this connection (then return that one)."""
    from connections.tasks import sync_task

    if kind == SyncRun.Kind.INCREMENTAL and not connection.sync_runs.filter(state=SyncRun.State.SUCCEEDED).exists():
        kind = SyncRun.Kind.FULL
    for _attempt in range(3):
        try:
            with transaction.atomic():
                run = SyncRun.objects.create(
                    connection=connection,
                    kind=kind,
                    since=_incremental_since(connection, kind),
                    requested_by=user if user and user.is_authenticated else None,
                )
                transaction.on_commit(partial(sync_task.delay, run.pk))
            return run
        except IntegrityError:
            # The unfinished run that refused ours may finish before we look it up: then try again.
            if unfinished := SyncRun.objects.unfinished().filter(connection=connection).first():
                return unfinished
    return SyncRun.objects.unfinished().get(connection=connection)


def _incremental_since(connection: Connection, kind: str) -> datetime | None:
    if kind != SyncRun.Kind.INCREMENTAL:
        return None
    last = connection.sync_runs.filter(state=SyncRun.State.SUCCEEDED).order_by("-started_at").first()
    return last.started_at - INCREMENTAL_OVERLAP if last and last.started_at else None


def claim(run_id: int) -> SyncRun | None:
    """Take the run's lease. None when it is finished; SyncBusy while another worker holds it."""
    now = timezone.now()
    unfinished = SyncRun.objects.filter(pk=run_id, state__in=[SyncRun.State.QUEUED, SyncRun.State.RUNNING])
    claimed = leases.claim(
        unfinished,
        field="lease_until",
        lease=LEASE,
        now=now,
        state=SyncRun.State.RUNNING,
        started_at=Coalesce("started_at", now),
    )
    run = SyncRun.objects.select_related("connection").filter(pk=run_id).first()
    if run is None or run.is_finished:
        return None
    if not claimed:
        raise SyncBusy(f"sync run {run_id} is held by another worker until {run.lease_until}")
    return run


def run_sync(*, run_id: int) -> SyncRun | None:
    run = claim(run_id)
    if run is None:
        return None
    connection = run.connection
    if not connection.is_active:
        return finish(run, state=SyncRun.State.FAILED, error=f"connection is {connection.get_status_display()}")
    client = connection.client(lane="backfill")
    progress = Progress(run, client)
    try:
        run_phases(run=run, connection=connection, client=client, progress=progress)
    except (AuthenticationError, PermissionDenied) as exc:
        Connection.objects.filter(pk=connection.pk).update(
            status=Connection.Status.INVALID_KEY, status_detail=str(exc)[:255]
        )
        progress.flush()
        return finish(run, state=SyncRun.State.FAILED, error=str(exc))
    except LexofficeError as exc:
        progress.flush()
        if exc.retryable:
            release(run)
            raise
        return finish(run, state=SyncRun.State.FAILED, error=str(exc))
    except Exception:
        progress.flush()
        release(run)
        raise
    progress.flush()
    return finish(run, state=SyncRun.State.SUCCEEDED)


def run_phases(*, run: SyncRun, connection: Connection, client: Lexoffice, progress: Progress) -> None:
    """The apps' registered steps in order (connections.hooks); each finished one is checkpointed."""
    complete_walk = run.kind in (SyncRun.Kind.FULL, SyncRun.Kind.RECONCILE)
    since = run.since.date() if run.kind == SyncRun.Kind.INCREMENTAL and run.since else None
    done = set(run.checkpoint.get("phases_done", []))
    for step in ordered_sync_steps():
        if step.name in done:
            continue
        seen = step.pull(connection=connection, client=client, progress=progress, since=since)
        if complete_walk:
            deleted = mark_missing(queryset=step.mirrored(connection), seen=seen)
            if deleted:
                progress.count(step.name, "deleted", deleted)
        done.add(step.name)
        progress.checkpoint(phases_done=sorted(done))


def release(run: SyncRun) -> None:
    SyncRun.objects.filter(pk=run.pk, state=SyncRun.State.RUNNING).update(lease_until=None)


def finish(run: SyncRun, *, state: str, error: str = "") -> SyncRun:
    SyncRun.objects.filter(pk=run.pk).update(
        state=state,
        error=error[:2000],
        finished_at=timezone.now(),
        lease_until=None,
        phase="done" if state == SyncRun.State.SUCCEEDED else run.phase,
    )
    run.refresh_from_db()
    log.info("sync run %s of connection %s %s: %s requests", run.pk, run.connection_id, state, run.requests)
    if state == SyncRun.State.FAILED:
        changes.notify(
            connection_id=run.connection_id,
            event_type="sync.failed",
            data={"syncRun": run.pk, "kind": run.kind, "error": run.error},
        )
    return run


def resume_stalled_runs() -> int:
    """Re-enqueue unfinished runs nobody works on (lost broker message, worker gone)."""
    from connections.tasks import sync_task

    stale_queued = timezone.now() - timedelta(minutes=2)
    runs = SyncRun.objects.unfinished().filter(
        (Q(state=SyncRun.State.RUNNING) & leases.free("lease_until", timezone.now()))
        | Q(state=SyncRun.State.QUEUED, created_at__lt=stale_queued)
    )
    count = 0
    for run_id in runs.values_list("pk", flat=True):
        sync_task.delay(run_id)
        count += 1
    return count


def schedule_incremental_syncs() -> int:
    """Beat: an incremental sync for every active connection that has none unfinished."""
    started = 0
    for connection in Connection.objects.active():
        try:
            start_sync(connection=connection, kind=SyncRun.Kind.INCREMENTAL)
            started += 1
        except Exception:  # one broken connection must not stop the others
            log.exception("could not start the sync of connection %s", connection.pk)
    return started
