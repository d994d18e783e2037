"""Celery tasks: ids in, one service call, retries only for transient errors."""

from celery import shared_task

from connections import sync, writes
from connections.writes import WriteQueued
from lexoffice.client import RateLimited, ServerError, TransportError

TRANSIENT = (RateLimited, ServerError, TransportError, sync.SyncBusy)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=5, retry_backoff_max=300, retry_jitter=True, max_retries=20)
def sync_task(run_id: int) -> None:
    sync.run_sync(run_id=run_id)


@shared_task
def resume_stalled_runs_task() -> int:
    return sync.resume_stalled_runs()


@shared_task
def schedule_incremental_syncs_task() -> int:
    return sync.schedule_incremental_syncs()


@shared_task(autoretry_for=(WriteQueued,), retry_backoff=5, retry_backoff_max=600, retry_jitter=True, max_retries=None)
def push_outbox_entry_task(entry_id: int) -> str | None:
    return writes.process_entry(entry_id)


@shared_task
def sweep_outbox_task() -> int:
    return writes.sweep_outbox()
