"""The webhook receiver (POST /webhooks/lexoffice/<token>/): verify the raw bytes, store the event, acknowledge,
process later. The event log pages are in views.py."""

import json
import logging
import uuid
from contextlib import nullcontext

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from connections.models import Connection
from webhooks import signature
from webhooks.handlers import is_known
from webhooks.models import WebhookEvent
from webhooks.tasks import hand_off

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
    return store_for_token(token, data)


def store(connection: Connection, data: dict) -> JsonResponse:
    """Store a delivery for `connection` (the receiver's own path, for callers that hold the connection)."""
    return store_for_token(connection.webhook_token, data)


def store_for_token(token: str, data: dict) -> JsonResponse:
    """Store the delivery for the connection behind `token` in one statement: the endpoint looked up, the
    event judged (its organization, its type) and inserted, a repeated delivery skipped. A delivery is the
    hottest write Lexhub takes, and one round trip instead of a lookup and an insert is a third of its cost."""
    organization_id = _uuid(data["organizationId"])
    inserted = _insert(token, organization_id, data)
    if inserted is None:
        if not Connection.objects.filter(webhook_token=token).exists():
            # A genuine delivery for a connection that no longer exists: 410 makes Lexoffice drop it.
            return _error(410, "unknown webhook endpoint")
        return JsonResponse({"status": "duplicate"}, status=200)
    event_id, connection_id, state = inserted
    if state == WebhookEvent.State.PENDING:
        # at once in autocommit; after a caller's commit otherwise
        transaction.on_commit(lambda: hand_off(event_id, connection_id=connection_id, webhook_token=token))
        return JsonResponse({"status": "accepted"}, status=202)
    log.info("webhook event %s stored as ignored (%s)", event_id, data["eventType"])
    return JsonResponse({"status": "ignored"}, status=200)


EVENTS = WebhookEvent._meta.db_table
CONNECTIONS = Connection._meta.db_table
# Every column without a database default is named; Django's defaults (attempts 0, error "") are spelled out.
INSERT = f"""
    INSERT INTO {EVENTS}
        (connection_id, organization_id, event_type, resource_id, event_date, state, attempts, error, received_at)
    SELECT c.id, %s, %s, %s, %s, CASE WHEN c.organization_id = %s AND %s THEN %s ELSE %s END, 0, '', %s
    FROM {CONNECTIONS} c WHERE c.webhook_token = %s
    ON CONFLICT DO NOTHING
    RETURNING id, connection_id, state"""  # noqa: S608 (table names from the models, values as parameters)


def _insert(token: str, organization_id: uuid.UUID | None, data: dict) -> tuple[int, int, str] | None:
    """The new event's id, its connection's id and its state; None when no connection has `token` or the
    delivery is a repeat.

    A single INSERT in autocommit is atomic and durable when it returns; inside a caller's transaction a
    savepoint keeps the transaction usable either way."""
    connection = transaction.get_connection()
    uuid_field = WebhookEvent._meta.get_field("organization_id")
    organization = uuid_field.get_db_prep_value(organization_id, connection)
    received_at = WebhookEvent._meta.get_field("received_at").get_db_prep_value(timezone.now(), connection)
    params = [
        organization,
        data["eventType"].lower(),
        data["resourceId"],
        data["eventDate"],
        organization,
        is_known(data["eventType"]),
        WebhookEvent.State.PENDING.value,
        WebhookEvent.State.IGNORED.value,
        received_at,
        token,
    ]
    with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
        cursor.execute(INSERT, params)
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1], row[2])


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
