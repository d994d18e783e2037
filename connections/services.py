"""Connections: verify an API key against Lexoffice before it is stored; keep it write-only."""

import logging
from typing import Any

from django.conf import settings
from django.db import transaction

from connections import hooks
from connections.models import Connection
from lexoffice.client import (
    AuthenticationError,
    Lexoffice,
    LexofficeError,
    PermissionDenied,
    TransportError,
)
from lexoffice.hosts import BaseUrlNotAllowed, checked_base_url

log = logging.getLogger(__name__)


class ConnectionRejected(Exception):
    """The key could not be verified; nothing was saved. The message is safe to show."""


def verify_api_key(*, api_key: str, base_url: str = "") -> dict:
    """GET /v1/profile with the key; return the profile or raise ConnectionRejected."""
    api_key = api_key.strip()
    if not api_key:
        raise ConnectionRejected("Enter an API key.")
    if not all("!" <= ch <= "~" for ch in api_key):  # it travels in an HTTP header: visible ASCII only
        raise ConnectionRejected(
            "This is not a Lexoffice API key: it contains spaces or characters other than "
            "letters, digits and punctuation. Copy it again from Lexoffice."
        )
    try:
        client = Lexoffice(api_key, base_url, max_attempts=2, max_retry_seconds=10)
        return client.profile()
    except BaseUrlNotAllowed as exc:
        raise ConnectionRejected(exc.message) from None
    except AuthenticationError:
        raise ConnectionRejected(
            "Lexoffice did not accept this API key (401). Check that it is complete and active."
        ) from None
    except PermissionDenied as exc:
        raise ConnectionRejected(
            f"Lexoffice refused access ({exc.status}): the plan or the key's scopes do not include the public API."
        ) from None
    except TransportError:
        raise ConnectionRejected("Lexoffice could not be reached. Check the base URL and the network.") from None
    except LexofficeError as exc:
        raise ConnectionRejected(f"Lexoffice answered {exc.status or 'an error'} while verifying the key.") from None


def _apply_profile(connection: Connection, profile: dict) -> None:
    connection.organization_id = profile.get("organizationId") or None
    connection.company_name = (profile.get("companyName") or "")[:255]
    connection.profile = profile
    connection.status = Connection.Status.ACTIVE
    connection.status_detail = ""


def create_connection(
    *,
    name: str,
    api_key: str,
    owner: Any,  # the user model's instance (settings.AUTH_USER_MODEL)
    base_url: str = "",
    rate_limit: float = 2.0,
) -> Connection:
    """Verify the key, then save the connection and register its webhooks after commit."""
    name = name.strip()
    if not name:
        raise ConnectionRejected("Enter a name for the connection.")
    if Connection.objects.filter(owner=owner, name=name).exists():
        raise ConnectionRejected(f"You already have a connection named {name!r}.")
    try:
        base_url = checked_base_url(base_url)
    except BaseUrlNotAllowed as exc:
        raise ConnectionRejected(exc.message) from None
    profile = verify_api_key(api_key=api_key, base_url=base_url)
    connection = Connection(name=name, owner=owner, base_url=base_url, rate_limit=rate_limit)
    connection.set_api_key(api_key.strip())
    _apply_profile(connection, profile)
    with transaction.atomic():
        connection.save()
        transaction.on_commit(lambda: _after_connect(connection.pk))
    log.info("connection %s created for organization %s", connection.pk, connection.organization_id)
    return connection


def replace_api_key(*, connection: Connection, api_key: str) -> Connection:
    """Swap the key after verifying it reaches the same organization."""
    profile = verify_api_key(api_key=api_key, base_url=connection.base_url)
    if connection.organization_id and str(connection.organization_id) != profile.get("organizationId"):
        raise ConnectionRejected("This key belongs to a different Lexoffice organization than the connection.")
    connection.set_api_key(api_key.strip())
    _apply_profile(connection, profile)
    with transaction.atomic():
        connection.save()
        transaction.on_commit(lambda: _after_connect(connection.pk))
    return connection


def reverify_connection(*, connection: Connection) -> Connection:
    """Check the stored key again; mark the connection invalid when Lexoffice refuses it."""
    try:
        profile = verify_api_key(api_key=connection.api_key, base_url=connection.base_url)
    except ConnectionRejected as exc:
        connection.status = Connection.Status.INVALID_KEY
        connection.status_detail = str(exc)[:255]
        connection.save(update_fields=["status", "status_detail", "updated_at"])
        raise
    _apply_profile(connection, profile)
    connection.save()
    return connection


def mark_revoked(*, connection: Connection, detail: str = "") -> None:
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.REVOKED, status_detail=detail[:255])


def delete_connection(*, connection: Connection) -> None:
    """Let the apps clean up upstream (webhooks unsubscribe; best effort), then delete the local data."""
    for hook in hooks.before_delete:
        try:
            hook(connection)
        except LexofficeError as exc:
            log.warning("connection %s: could not clean up upstream before delete: %s", connection.pk, exc)
    connection.delete()


def _after_connect(connection_id: int) -> None:
    if settings.LEXHUB_AUTO_REGISTER_WEBHOOKS:
        hooks.request_webhook_subscriptions(connection_id)
