"""Turn the mirror's changes into stored events and deliveries (inside the change's transaction).

An event's type is `<resource>.<action>`: resource `contact`, `voucher` (a voucher list entry, of any
type) or a sales document's Lexoffice event resource (`invoice`, `credit-note`, `quotation`, ...);
action `created`, `changed` or `deleted`. Its data is the record exactly as the REST API renders it
(same serializers, so the OpenAPI schema documents it), plus the connection and the sequence. Notices
(`sync.failed`, `write.failed`, `receipt.uploaded`, ...) carry their own small data.

Nothing is stored for a connection without an enabled endpoint wanting the type, so a sync of an
account nobody listens to pays one query per batch.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.db import models, transaction

from connections.changes import Change, Notice
from contacts.api import ContactSerializer
from contacts.models import Contact
from invoices.api import SalesDocumentSerializer
from invoices.models import KINDS, SalesDocument
from outgoing.models import Delivery, Endpoint, Event
from vouchers.api import VoucherDetailSerializer
from vouchers.models import Voucher

log = logging.getLogger(__name__)

# Every type an endpoint can ask for (the form's choices; patterns with * match among these).
RECORD_RESOURCES = ["contact", "voucher", *(kind.event_resource for kind in KINDS.values())]
NOTICE_TYPES = ["receipt.uploaded", "receipt.completed", "export.finished", "sync.failed", "write.failed"]
EVENT_TYPES = [f"{resource}.{action}" for resource in RECORD_RESOURCES for action in ("created", "changed", "deleted")]
EVENT_TYPES += NOTICE_TYPES


def _resource(row: models.Model) -> str | None:
    if isinstance(row, Contact):
        return "contact"
    if isinstance(row, Voucher):
        return "voucher"
    if isinstance(row, SalesDocument) and row.kind in KINDS:
        return KINDS[row.kind].event_resource
    return None


def render(row: models.Model) -> dict[str, Any]:
    """The record as GET /api/v1/<its list>/<id>/ returns it."""
    renderers: dict[type, Callable[[Any], dict[str, Any]]] = {
        Contact: lambda contact: ContactSerializer().to_representation(contact),
        Voucher: lambda voucher: VoucherDetailSerializer().to_representation(voucher),
        SalesDocument: lambda document: SalesDocumentSerializer().to_representation(document),
    }
    return renderers[type(row)](row)


def _rendered(row: models.Model) -> dict[str, Any] | None:
    """The record, or None when rendering fails: the change is still announced (the receiver can read the
    record from the API), and a rendering bug never fails the sync or write that made the change."""
    try:
        return render(row)
    except Exception:
        log.exception("outgoing: %s %s could not be rendered", type(row).__name__, row.pk)
        return None


def listening_endpoints(connection_id: int) -> list[Endpoint]:
    return list(Endpoint.objects.filter(connection_id=connection_id, enabled=True).only("id", "event_types"))


def record_change(change: Change) -> None:
    endpoints = listening_endpoints(change.connection_id)
    if not endpoints:
        return
    items = []
    for row in change.rows:
        resource = _resource(row)
        if resource is None:
            continue
        event_type = f"{resource}.{change.action}"
        if any(endpoint.wants(event_type) for endpoint in endpoints):
            lexoffice_id = getattr(row, "lexoffice_id", None)
            data = {"record": _rendered(row), "lexofficeId": str(lexoffice_id), "deleted": change.action == "deleted"}
            items.append((event_type, lexoffice_id, data))
    _store(change.connection_id, endpoints, items)


# Notices that name a record carry it as rendered now (a completed receipt: its voucher, files linked).
NOTICE_RECORDS: dict[str, tuple[type[models.Model], str]] = {"receipt.completed": (Voucher, "voucher")}


def record_notice(notice: Notice) -> None:
    endpoints = listening_endpoints(notice.connection_id)
    if not any(endpoint.wants(notice.event_type) for endpoint in endpoints):
        return
    data = dict(notice.data)
    if notice.event_type in NOTICE_RECORDS:
        model, key = NOTICE_RECORDS[notice.event_type]
        row = model._default_manager.filter(pk=data.get(key)).first()
        data["record"] = _rendered(row) if row is not None else None
    _store(notice.connection_id, endpoints, [(notice.event_type, None, data)])


def _store(connection_id: int, endpoints: list[Endpoint], items: list[tuple[str, Any, dict[str, Any]]]) -> None:
    if not items:
        return
    with transaction.atomic():
        events = Event.objects.bulk_create(
            [
                Event(connection_id=connection_id, event_type=event_type, lexoffice_id=lexoffice_id, data=data)
                for event_type, lexoffice_id, data in items
            ]
        )
        deliveries = [
            Delivery(event=event, endpoint=endpoint)
            for event in events
            for endpoint in endpoints
            if endpoint.wants(event.event_type)
        ]
        Delivery.objects.bulk_create(deliveries)
        touched = sorted({delivery.endpoint_id for delivery in deliveries})
        transaction.on_commit(lambda: _enqueue(touched))


def _enqueue(endpoint_ids: list[int]) -> None:
    from outgoing.delivery import schedule_drain

    for endpoint_id in endpoint_ids:
        schedule_drain(endpoint_id)
