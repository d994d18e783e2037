"""Webhook tasks: process inbox events, sweep the ones left pending, keep subscriptions registered."""

import hashlib
import logging
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING

from celery import shared_task
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from connections import leases
from connections.models import Connection
from lexoffice.client import LexofficeError, RateLimited, ServerError, TransportError
from webhooks import handlers, subscriptions
from webhooks.models import WebhookEvent

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LOCK = timedelta(seconds=120)


def claim(event_id: int) -> WebhookEvent | None:
    """Take a pending event for processing; None when it is done or another worker has it."""
    pending = WebhookEvent.objects.filter(pk=event_id, state=WebhookEvent.State.PENDING)
    if not leases.claim(pending, field="locked_until", lease=LOCK, attempts=F("attempts") + 1):
        return None
    return WebhookEvent.objects.select_related("connection").get(pk=event_id)


@shared_task(bind=True, max_retries=MAX_ATTEMPTS)
def process_event_task(self, event_id: int) -> str | None:
    event = claim(event_id)
    if event is None:
        return None
    try:
        outcome = handlers.handle(event)
    except LexofficeError as exc:
        dead = not exc.retryable or event.attempts >= MAX_ATTEMPTS
        WebhookEvent.objects.filter(pk=event.pk).update(
            state=WebhookEvent.State.DEAD if dead else WebhookEvent.State.PENDING,
            locked_until=None,
            error=str(exc)[:2000],
        )
        if dead:
            log.warning("webhook event %s is dead after %s attempts: %s", event.pk, event.attempts, exc)
            return "dead"
        raise self.retry(countdown=min(300, 2**event.attempts), exc=exc) from None
    handlers.mark_processed(event, outcome)
    return outcome


# A burst of deliveries for one connection hands the worker one drain, not a message per event: the receiver
# only sets a flag in Redis (SET NX, one cheap round trip), and the first delivery that sets it queues the drain.
# The drain drops the flag before it reads the pending events, so an event stored after that read sets the flag
# anew. A drain lost with the broker leaves the flag to expire and the sweeper to find the events.
DRAIN_FLAG_SECONDS = 60


@cache
def _flags(redis_url: str) -> "redis.Redis":
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # A delivery waits on this: fail fast (one immediate reconnect, as after a Redis restart), then the
    # event gets a message of its own. redis-py's default retries back off for seconds.
    return redis.Redis.from_url(
        redis_url,
        socket_timeout=1,
        socket_connect_timeout=1,
        retry=Retry(NoBackoff(), 1),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
    )


def _drain_flag(webhook_token: str) -> str:
    # Keyed by the endpoint's token (unique per connection, never reused), hashed: it is the URL's secret.
    return "lexhub:webhooks:drain:" + hashlib.sha256(webhook_token.encode()).hexdigest()[:32]


def hand_off(event_id: int, *, connection_id: int, webhook_token: str) -> None:
    """Give a stored event to the workers: through the connection's drain where Redis holds the flag, else
    (no Redis: the embedded set-up) a message of its own."""
    if not settings.REDIS_URL:
        enqueue(event_id)
        return
    try:
        first = _flags(settings.REDIS_URL).set(_drain_flag(webhook_token), 1, nx=True, ex=DRAIN_FLAG_SECONDS)
    except Exception as exc:  # Redis down: a message of its own, which may fail over to the sweeper too
        log.warning("webhook drain flag not set (%s)", type(exc).__name__)
        enqueue(event_id)
        return
    if first:
        try:
            drain_events_task.delay(connection_id)
        except Exception as exc:  # broker down: the flag expires, the sweeper finds the events
            log.warning("webhook drain for connection %s not enqueued (%s)", connection_id, type(exc).__name__)


DRAIN_BATCH = 1000


@shared_task
def drain_events_task(connection_id: int) -> int:
    """Queue each pending, unclaimed event of the connection for processing (in the order received)."""
    token = Connection.objects.filter(pk=connection_id).values_list("webhook_token", flat=True).first()
    if token is None:
        return 0
    _flags(settings.REDIS_URL).delete(_drain_flag(token))
    pending = (
        WebhookEvent.objects.pending()
        .filter(connection_id=connection_id)
        .filter(leases.free("locked_until", timezone.now()))
        .order_by("id")
    )
    ids = list(pending.values_list("pk", flat=True)[:DRAIN_BATCH])
    for event_id in ids:
        enqueue(event_id)
    if len(ids) == DRAIN_BATCH:  # more behind them: another round once these are queued
        drain_events_task.delay(connection_id)
    return len(ids)


def enqueue(event_id: int) -> None:
    """Hand an event to a worker; if the broker is unreachable the sweeper picks it up later."""
    try:
        process_event_task.delay(event_id)
    except Exception as exc:  # broker down: the inbox row is the durable copy
        log.warning("webhook event %s not enqueued (%s); the sweeper will retry", event_id, type(exc).__name__)


@shared_task
def sweep_inbox_task() -> int:
    """Re-enqueue events pending longer than the sweep delay whose lock is free (lost messages)."""
    now = timezone.now()
    sweep_after = timedelta(seconds=settings.LEXHUB_WEBHOOK_SWEEP_AFTER_SECONDS)
    stale = (
        WebhookEvent.objects.pending()
        .filter(received_at__lt=now - sweep_after)
        .filter(leases.free("locked_until", now))
    )
    ids = list(stale.values_list("pk", flat=True)[:1000])
    for event_id in ids:
        enqueue(event_id)
    return len(ids)


def replay(event: WebhookEvent) -> None:
    WebhookEvent.objects.filter(pk=event.pk).update(
        state=WebhookEvent.State.PENDING, attempts=0, locked_until=None, error=""
    )
    enqueue(event.pk)


@shared_task(autoretry_for=(RateLimited, ServerError, TransportError), retry_backoff=10, max_retries=5)
def register_webhooks_task(connection_id: int) -> dict | None:
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None or not connection.is_active:
        return None
    return subscriptions.register_webhooks(connection=connection)


@shared_task
def reconcile_all_webhooks_task() -> int:
    count = 0
    for connection_id in Connection.objects.active().values_list("pk", flat=True):
        register_webhooks_task.delay(connection_id)
        count += 1
    return count
