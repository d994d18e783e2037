"""Managing endpoints and replaying deliveries; the pages and the REST API call these."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connections import crypto
from connections.models import Connection
from outgoing.addresses import checked_url
from outgoing.delivery import schedule_drain
from outgoing.events import EVENT_TYPES
from outgoing.models import Delivery, Endpoint, Event
from outgoing.signing import new_secret

ROTATION_OVERLAP = timedelta(hours=24)


class InvalidEventTypes(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class NewSecret:
    """An endpoint and its secret in clear: shown once, never stored or logged in clear."""

    endpoint: Endpoint
    secret: str


def checked_event_types(patterns: list[str]) -> list[str]:
    """Each pattern must name or (with *) match at least one known type."""
    cleaned = sorted({pattern.strip() for pattern in patterns if pattern.strip()})
    if not cleaned:
        raise InvalidEventTypes(_("Choose at least one event type."))
    for pattern in cleaned:
        if len(pattern) > 60 or not any(fnmatchcase(event_type, pattern) for event_type in EVENT_TYPES):
            raise InvalidEventTypes(_("Unknown event type: %(type)s") % {"type": pattern[:60]})
    return cleaned


def create_endpoint(
    *, connection: Connection, user: Any, url: str, event_types: list[str], description: str = ""
) -> NewSecret:
    """Raises AddressRefused or InvalidEventTypes before anything is stored."""
    url = checked_url(url)
    patterns = checked_event_types(event_types)
    secret = new_secret()
    endpoint = Endpoint.objects.create(
        connection=connection,
        url=url,
        description=description,
        event_types=patterns,
        secret_encrypted=crypto.encrypt(secret),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    return NewSecret(endpoint=endpoint, secret=secret)


def rotate_secret(*, endpoint: Endpoint) -> NewSecret:
    """A new secret signs from now on; the old one also signs for ROTATION_OVERLAP."""
    secret = new_secret()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
    endpoint.secret_encrypted = crypto.encrypt(secret)
    endpoint.save(update_fields=["secret_encrypted", "previous_secret_encrypted", "previous_secret_expires_at"])
    return NewSecret(endpoint=endpoint, secret=secret)


def set_enabled(*, endpoint: Endpoint, enabled: bool) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(enabled=enabled, disabled_reason="", failing_since=None)
    if enabled:
        transaction.on_commit(lambda: schedule_drain(endpoint.pk))


def replay_delivery(*, delivery: Delivery) -> None:
    """Send one delivery again (same webhook-id: a receiver that processed it may skip it)."""
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.PENDING, next_attempt_at=timezone.now())
    transaction.on_commit(lambda: schedule_drain(delivery.endpoint_id))


def replay_since(*, endpoint: Endpoint, since: datetime, only_failed: bool = False) -> int:
    """Send again every event of the endpoint's connection stored since `since` that it wants (all, or
    only those whose delivery failed); events it never had a delivery for are delivered too."""
    now = timezone.now()
    with transaction.atomic():
        deliveries = Delivery.objects.filter(endpoint=endpoint, event__created_at__gte=since)
        if only_failed:
            deliveries = deliveries.filter(state=Delivery.State.FAILED)
        count = deliveries.update(state=Delivery.State.PENDING, next_attempt_at=now)
        if not only_failed:
            missing = (
                Event.objects.filter(connection_id=endpoint.connection_id, created_at__gte=since)
                .exclude(deliveries__endpoint=endpoint)
                .only("id", "event_type")
            )
            new = [Delivery(event=event, endpoint=endpoint) for event in missing if endpoint.wants(event.event_type)]
            Delivery.objects.bulk_create(new)
            count += len(new)
        transaction.on_commit(lambda: schedule_drain(endpoint.pk))
    return count
