"""Event subscriptions: keep exactly the ones the mirror needs registered for each connection."""

import contextlib
import logging

from django.conf import settings
from django.db import transaction

from connections.models import Connection
from lexoffice.client import Conflict, NotFound
from webhooks.models import EventSubscription

log = logging.getLogger(__name__)

EVENT_TYPES = (
    "contact.created",
    "contact.changed",
    "contact.deleted",
    "voucher.created",
    "voucher.changed",
    "voucher.deleted",
    "voucher.status.changed",
    "invoice.created",
    "invoice.changed",
    "invoice.deleted",
    "invoice.status.changed",
    "credit-note.created",
    "credit-note.changed",
    "credit-note.deleted",
    "credit-note.status.changed",
    "down-payment-invoice.created",
    "down-payment-invoice.changed",
    "down-payment-invoice.deleted",
    "down-payment-invoice.status.changed",
    "order-confirmation.created",
    "order-confirmation.changed",
    "order-confirmation.deleted",
    "order-confirmation.status.changed",
    "quotation.created",
    "quotation.changed",
    "quotation.deleted",
    "quotation.status.changed",
    "delivery-note.created",
    "delivery-note.changed",
    "delivery-note.deleted",
    "delivery-note.status.changed",
    "dunning.created",
    "dunning.changed",
    "dunning.deleted",
    "payment.changed",
    "token.revoked",
)
RECEIVER_PREFIX = "/webhooks/lexoffice/"


def callback_url(connection: Connection) -> str:
    return f"{settings.PUBLIC_BASE_URL}{RECEIVER_PREFIX}{connection.webhook_token}/"


def is_ours(url: str) -> bool:
    return url.startswith(f"{settings.PUBLIC_BASE_URL}{RECEIVER_PREFIX}")


def register_webhooks(*, connection: Connection) -> dict[str, int]:
    """Add missing subscriptions, remove stale ones of ours (old tokens/hosts); idempotent."""
    client = connection.client(lane="webhook")
    wanted_url = callback_url(connection)
    remote = client.event_subscriptions()
    present: dict[str, str] = {}
    removed = 0
    for subscription in remote:
        url, event_type = subscription.get("callbackUrl", ""), subscription.get("eventType", "")
        subscription_id = subscription.get("subscriptionId") or subscription.get("id")
        if url == wanted_url and event_type in EVENT_TYPES and event_type not in present:
            present[event_type] = subscription_id
        elif is_ours(url) or url == wanted_url:
            _delete_remote(client, subscription_id)
            removed += 1
    added = 0
    for event_type in EVENT_TYPES:
        if event_type in present:
            continue
        try:
            result = client.create_event_subscription(event_type=event_type, callback_url=wanted_url)
            present[event_type] = result["id"]
            added += 1
        except Conflict:
            log.info("connection %s: %s already subscribed", connection.pk, event_type)
    with transaction.atomic():
        EventSubscription.objects.filter(connection=connection).exclude(event_type__in=list(present)).delete()
        for event_type, subscription_id in present.items():
            EventSubscription.objects.update_or_create(
                connection=connection,
                event_type=event_type,
                defaults={"subscription_id": subscription_id, "callback_url": wanted_url},
            )
    return {"added": added, "removed": removed, "kept": len(present) - added}


def unregister_webhooks(*, connection: Connection) -> int:
    """Delete this connection's subscriptions upstream (those with its callback URL)."""
    client = connection.client(lane="interactive")
    wanted_url = callback_url(connection)
    removed = 0
    for subscription in client.event_subscriptions():
        if subscription.get("callbackUrl") == wanted_url:
            _delete_remote(client, subscription.get("subscriptionId") or subscription.get("id"))
            removed += 1
    EventSubscription.objects.filter(connection=connection).delete()
    return removed


def _delete_remote(client, subscription_id: str) -> None:
    with contextlib.suppress(NotFound):
        client.delete_event_subscription(subscription_id)
