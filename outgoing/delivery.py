"""Deliver an endpoint's pending events: one worker per endpoint at a time, in sequence order.

A drain takes the endpoint's lease, sends its due deliveries oldest first over one kept-alive connection
(resolved and checked for every delivery, addresses.py), and logs every attempt. A failed delivery waits
RETRY_BASE * 2^(attempts-1) seconds, capped at RETRY_CAP, and gives up (state failed, replayable) once it
is older than RETRY_FOR (a day by default). Three failures in a row mean the receiver is down: the drain
stops and holds the endpoint's other due deliveries until the last back-off has passed, so a dead
receiver gets a request now and then, not the whole queue. An endpoint failing for DISABLE_AFTER (three
days) is disabled with a notice on its page. Beat's sweep picks up what a lost message left.
"""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext

from connections import leases
from outgoing.addresses import AddressRefused, parse_url, resolve
from outgoing.models import Attempt, Delivery, Endpoint, Event
from outgoing.signing import signed_headers
from outgoing.transport import Answer, Sender

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
BATCH = 50
DOWN_AFTER_FAILURES = 3


def backoff(attempts: int) -> timedelta:
    base = settings.LEXHUB_OUTGOING_WEBHOOKS_RETRY_BASE_SECONDS
    cap = settings.LEXHUB_OUTGOING_WEBHOOKS_RETRY_CAP_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def payload(event: Event) -> dict:
    """The body: Standard Webhooks' type/timestamp/data shape; data carries the connection and sequence."""
    return {
        "type": event.event_type,
        "timestamp": event.created_at.isoformat(),
        "data": {"connection": event.connection_id, "sequence": event.pk, **event.data},
    }


def drain_endpoint(endpoint_id: int) -> int:
    """Task body. Returns how many deliveries succeeded; 0 when another worker holds the endpoint."""
    enabled = Endpoint.objects.filter(pk=endpoint_id, enabled=True)
    if not leases.claim(enabled, field="locked_until", lease=LEASE):
        return 0
    delivered = 0
    sender = Sender()
    try:
        endpoint = Endpoint.objects.get(pk=endpoint_id)
        delivered = _drain(endpoint, sender)
    finally:
        sender.close()
        Endpoint.objects.filter(pk=endpoint_id).update(locked_until=None)
    # Deliveries stored while we held the lease, or waiting for their back-off: come back for them.
    _schedule_next(endpoint_id)
    return delivered


def _drain(endpoint: Endpoint, sender: Sender) -> int:
    delivered, failures = 0, 0
    secrets = endpoint.signing_secrets()  # decrypted once per drain, not per delivery
    while True:
        pending = Delivery.objects.filter(endpoint=endpoint, state=Delivery.State.PENDING)
        due = list(
            pending.filter(next_attempt_at__lte=timezone.now()).select_related("event").order_by("event_id")[:BATCH]
        )
        if not due:
            return delivered
        sent: list[tuple[Delivery, Attempt]] = []
        down = False
        for delivery in due:
            attempt = send(endpoint=endpoint, delivery=delivery, sender=sender, secrets=secrets)
            settle(endpoint=endpoint, delivery=delivery, attempt=attempt)
            sent.append((delivery, attempt))
            if delivery.state == Delivery.State.DELIVERED:
                delivered, failures = delivered + 1, 0
                continue
            failures += 1
            if failures >= DOWN_AFTER_FAILURES:
                down = True
                break
        _save(sent)
        if down:
            _hold(endpoint, until=timezone.now() + backoff(sent[-1][0].attempts))
            return delivered
        Endpoint.objects.filter(pk=endpoint.pk).update(locked_until=timezone.now() + LEASE)


def send(*, endpoint: Endpoint, delivery: Delivery, sender: Sender, secrets: list[str]) -> Attempt:
    """Sign and send one delivery; the attempt (not saved yet) says what came back."""
    event = delivery.event
    body = json.dumps(payload(event), cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)
    started = timezone.now()
    try:
        target = parse_url(endpoint.url)
        address = resolve(target)
        headers = signed_headers(message_id=event.webhook_id, body=body, secrets_=secrets)
        answer = sender.post(target=target, address=address, body=body.encode(), headers=headers)
    except AddressRefused as exc:
        answer = Answer(status=None, excerpt="", error=exc.message, duration_ms=0)
    return Attempt(
        delivery=delivery,
        started_at=started,
        duration_ms=answer.duration_ms,
        status=answer.status,
        response_excerpt=answer.excerpt,
        error=answer.error[:300],
    )


def settle(*, endpoint: Endpoint, delivery: Delivery, attempt: Attempt) -> None:
    """Move the delivery on after an attempt: delivered on a 2xx, else back off or give up."""
    delivery.attempts += 1
    delivery.last_status, delivery.last_error = attempt.status, attempt.error
    if attempt.status is not None and 200 <= attempt.status < 300:
        delivery.state, delivery.delivered_at = Delivery.State.DELIVERED, timezone.now()
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
    else:
        _failed(endpoint, delivery)


def _save(sent: list[tuple[Delivery, Attempt]]) -> None:
    """One transaction per batch: a worker that dies mid-batch sends those again (same webhook-id, so
    the receiver skips what it already processed), never loses one. Deliveries that succeeded with the
    same status are one UPDATE (bulk_update's CASE per row cost more than the sending, measured)."""
    delivered: dict[int | None, list[int]] = {}
    others = []
    for delivery, _ in sent:
        if delivery.state == Delivery.State.DELIVERED:
            delivered.setdefault(delivery.last_status, []).append(delivery.pk)
        else:
            others.append(delivery)
    with transaction.atomic():
        Attempt.objects.bulk_create([attempt for _, attempt in sent])
        for status, ids in delivered.items():
            Delivery.objects.filter(pk__in=ids).update(
                state=Delivery.State.DELIVERED,
                delivered_at=timezone.now(),
                attempts=F("attempts") + 1,
                last_status=status,
                last_error="",
            )
        for delivery in others:
            delivery.save(update_fields=["state", "attempts", "next_attempt_at", "last_status", "last_error"])


def _failed(endpoint: Endpoint, delivery: Delivery) -> None:
    now = timezone.now()
    retry_for = timedelta(seconds=settings.LEXHUB_OUTGOING_WEBHOOKS_RETRY_FOR_SECONDS)
    if now - delivery.created_at >= retry_for:
        delivery.state = Delivery.State.FAILED
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    elif now - endpoint.failing_since >= timedelta(seconds=settings.LEXHUB_OUTGOING_WEBHOOKS_DISABLE_AFTER_SECONDS):
        reason = gettext("Disabled automatically: deliveries failed since %(since)s.") % {
            "since": endpoint.failing_since.strftime("%Y-%m-%d %H:%M UTC")
        }
        Endpoint.objects.filter(pk=endpoint.pk).update(enabled=False, disabled_reason=reason[:255])
        log.warning("outgoing endpoint %s disabled after failing since %s", endpoint.pk, endpoint.failing_since)


def _hold(endpoint: Endpoint, *, until: object) -> None:
    Delivery.objects.filter(endpoint=endpoint, state=Delivery.State.PENDING, next_attempt_at__lt=until).update(
        next_attempt_at=until
    )


def _schedule_next(endpoint_id: int) -> None:
    if not Endpoint.objects.filter(pk=endpoint_id, enabled=True).exists():
        return
    earliest = Delivery.objects.filter(endpoint_id=endpoint_id, state=Delivery.State.PENDING).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    if earliest is not None:
        schedule_drain(endpoint_id, countdown=max((earliest - timezone.now()).total_seconds(), 0.0))


def schedule_drain(endpoint_id: int, countdown: float = 0.0) -> None:
    from outgoing.tasks import deliver_endpoint_task

    try:
        deliver_endpoint_task.apply_async((endpoint_id,), countdown=countdown)
    except Exception as exc:  # broker down: beat's sweep sends it later
        log.warning("outgoing endpoint %s not enqueued (%s)", endpoint_id, type(exc).__name__)


def sweep_deliveries() -> int:
    """Enqueue a drain for every enabled endpoint with due deliveries and no worker on it."""
    now = timezone.now()
    ids = list(
        Endpoint.objects.filter(enabled=True)
        .filter(leases.free("locked_until", now))
        .filter(deliveries__state=Delivery.State.PENDING, deliveries__next_attempt_at__lte=now)
        .values_list("pk", flat=True)
        .distinct()[:500]
    )
    for endpoint_id in ids:
        schedule_drain(endpoint_id)
    return len(ids)
