"""Celery tasks: ids in, one call into delivery.py."""

from celery import shared_task

from outgoing import delivery


@shared_task
def deliver_endpoint_task(endpoint_id: int) -> int:
    return delivery.drain_endpoint(endpoint_id)


@shared_task
def sweep_deliveries_task() -> int:
    return delivery.sweep_deliveries()
