"""Process one stored webhook event: re-fetch the resource it names and upsert the mirror."""

import logging
import uuid

from django.db.models import F
from django.utils import timezone

from connections.mirror import mark_deleted
from connections.models import Connection
from connections.services import mark_revoked
from contacts.sync import refresh_contact
from invoices.sync import refresh_sales_document, store_sales_document
from lexoffice.client import NotFound
from lexoffice.kinds import BY_EVENT_RESOURCE, BY_VOUCHER_TYPE
from vouchers.models import BOOKKEEPING_TYPES, Voucher
from vouchers.sync import refresh_voucher
from webhooks.models import WebhookEvent

log = logging.getLogger(__name__)

KNOWN_RESOURCES = {"contact", "voucher", "payment", "token", *BY_EVENT_RESOURCE}


def resource_of(event_type: str) -> str:
    return event_type.split(".", 1)[0]


def is_known(event_type: str) -> bool:
    return resource_of(event_type) in KNOWN_RESOURCES and "." in event_type


def handle(event: WebhookEvent) -> str:
    """Apply one event; returns what happened. Raises LexofficeError for the task to retry."""
    connection = event.connection
    resource, action = resource_of(event.event_type), event.event_type.split(".", 1)[1]
    if resource == "token":
        mark_revoked(connection=connection, detail="Lexoffice revoked the API connection (token.revoked)")
        return "revoked"
    if not connection.is_active:
        return "skipped: connection inactive"
    client = connection.client(lane="webhook")
    if resource == "contact":
        return refresh_contact(connection=connection, lexoffice_id=event.resource_id, client=client)
    if resource == "voucher":
        if action == "deleted":
            return _mark_voucher_deleted(connection, event.resource_id)
        return refresh_voucher(connection=connection, lexoffice_id=event.resource_id, client=client)
    if resource == "payment":
        return _refresh_paid(connection, event.resource_id, client)
    kind = BY_EVENT_RESOURCE[resource].voucher_type
    if action == "deleted":
        return _mark_voucher_deleted(connection, event.resource_id)
    return refresh_sales_document(connection=connection, kind=kind, lexoffice_id=event.resource_id, client=client)


def _mark_voucher_deleted(connection: Connection, resource_id: str) -> str:
    from invoices.models import SalesDocument

    ids = [uuid.UUID(resource_id)]
    mark_deleted(model=Voucher, connection=connection, lexoffice_ids=ids)
    mark_deleted(model=SalesDocument, connection=connection, lexoffice_ids=ids)
    return "deleted"


def _refresh_paid(connection: Connection, resource_id: str, client) -> str:
    """payment.changed names a voucher, invoice or credit note: the local type says which endpoint;
    for a record we do not hold yet, try the candidates in turn."""
    voucher_type = (
        Voucher.objects.filter(connection=connection, lexoffice_id=resource_id)
        .values_list("voucher_type", flat=True)
        .first()
    )
    if voucher_type in BOOKKEEPING_TYPES:
        return refresh_voucher(connection=connection, lexoffice_id=resource_id, client=client)
    if voucher_type in BY_VOUCHER_TYPE:
        return refresh_sales_document(connection=connection, kind=voucher_type, lexoffice_id=resource_id, client=client)
    for kind in ("invoice", "creditnote", "downpaymentinvoice"):  # the sales kinds with payments
        try:
            data = client.sales_document(BY_VOUCHER_TYPE[kind].path, resource_id)
        except NotFound:
            continue
        return store_sales_document(connection=connection, kind=kind, data=data)[1]
    return refresh_voucher(connection=connection, lexoffice_id=resource_id, client=client)


def mark_processed(event: WebhookEvent, outcome: str) -> None:
    WebhookEvent.objects.filter(pk=event.pk).update(
        state=WebhookEvent.State.PROCESSED,
        processed_at=timezone.now(),
        locked_until=None,
        error="" if outcome else F("error"),
    )
