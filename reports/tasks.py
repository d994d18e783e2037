"""Celery tasks: ids in, one service call."""

from celery import shared_task

from lexoffice.client import RateLimited, ServerError, TransportError
from reports import package


@shared_task(
    autoretry_for=(RateLimited, ServerError, TransportError), retry_backoff=5, retry_jitter=True, max_retries=8
)
def period_export_task(run_id: int) -> None:
    package.run_export(run_id)
