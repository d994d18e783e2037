"""The webhook receiver (POST /webhooks/lexoffice/<token>/): verify the raw bytes, store the event, acknowledge,
process later. The event log pages are in views.py."""

import json
import logging
import uuid

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from connections.models import Connection
from webhooks import signature
from webhooks.handlers import is_known
from webhooks.models import WebhookEvent
from webhooks.tasks import enqueue

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024  # a delivery is four short fields
FIELDS = ("organizationId", "eventType", "resourceId", "eventDate")


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def parse_event(body: bytes) -> dict | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(field), str) and data[field] for field in FIELDS):
        return None
    if len(data["eventType"]) > 60 or len(data["resourceId"]) > 64 or len(data["eventDate"]) > 40:
        return None
    if not all(data[field].isprintable() for field in FIELDS):
        return None
    return data


@csrf_exempt  # authenticated by the RSA signature, not by a session; the only CSRF-exempt view
@require_http_methods(["POST", "HEAD"])
def receive(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "HEAD":
        # Lexoffice probes the URL when a subscription is created: 200 for an endpoint that exists; for any
        # other the 410 a delivery would get, so a probe is no oracle that answers yes to every token.
        known = Connection.objects.filter(webhook_token=token).exists()
        return HttpResponse(status=200 if known else 410)
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return _error(400, "invalid Content-Length")
    if length > MAX_BODY_BYTES:
        return _error(413, "body too large")
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "body too large")
    header = request.headers.get("X-Lxo-Signature", "")
    if not header or not signature.verify(body, header):
        return _error(401, "missing or invalid signature")
    data = parse_event(body)
    if data is None:
        return _error(400, "body must be a JSON object with organizationId, eventType, resourceId, eventDate")
    connection = Connection.objects.filter(webhook_token=token).only("pk", "organization_id").first()
    if connection is None:
        # A genuine delivery for a connection that no longer exists: 410 makes Lexoffice drop it.
        return _error(410, "unknown webhook endpoint")
    return store(connection, data)


def store(connection: Connection, data: dict) -> JsonResponse:
    organization_id = _uuid(data["organizationId"])
    ignored = (
        organization_id is None or organization_id != connection.organization_id or not is_known(data["eventType"])
    )
    state = WebhookEvent.State.IGNORED if ignored else WebhookEvent.State.PENDING
    event = WebhookEvent(
        connection=connection,
        organization_id=organization_id,
        event_type=data["eventType"].lower(),
        resource_id=data["resourceId"],
        event_date=data["eventDate"],
        state=state,
    )
    try:
        _insert(event)
    except IntegrityError:
        return JsonResponse({"status": "duplicate"}, status=200)
    if state == WebhookEvent.State.PENDING:
        transaction.on_commit(lambda: enqueue(event.pk))  # at once in autocommit; after a caller's commit otherwise
    if ignored:
        log.info("webhook event %s stored as ignored (%s)", event.pk, data["eventType"])
    return JsonResponse({"status": "ignored" if ignored else "accepted"}, status=202 if not ignored else 200)


def _insert(event: WebhookEvent) -> None:
    """Store the event. A single INSERT in autocommit is atomic and durable when it returns, without the
    BEGIN/COMMIT round trips of a transaction block; inside a caller's transaction a savepoint keeps the
    transaction usable when the insert is refused as a duplicate."""
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            event.save(force_insert=True)
    else:
        event.save(force_insert=True)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
