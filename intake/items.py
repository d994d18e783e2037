"""Intake items: recorded before anything is sent, then taken through the receipt path the drop zone uses.

received -> queued -> uploaded | duplicate | refused | failed  (skipped parts are recorded settled)

Exactly once: the item row exists before the upload; the Upload row and the item's link to it are one
transaction, so a worker killed anywhere leaves either no Upload (the next attempt makes it) or an Upload the
item points at (the next attempt sends that one again, which Lexoffice answers with the same file, see
vouchers.receipts.sync.push_upload). An item is taken under a lease, so two workers never work on it at once.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from connections.leases import claim
from connections.models import Connection
from connections.writes import WriteError
from intake.models import IntakeItem
from vouchers.models import Upload, Voucher
from vouchers.receipts.checks import DuplicateUpload, UploadRejected, check_upload
from vouchers.receipts.sync import push_upload, store_receipt

SAME_BYTES = gettext_noop("This file was uploaded before.")


@dataclass(frozen=True)
class Received:
    """A part or file to record: where it came from and its bytes (or why it is no receipt)."""

    source_key: str
    message_key: str
    part_index: int
    filename: str
    content_type: str
    payload: bytes
    skip_reason: str = ""
    sender: str = ""
    subject: str = ""
    sent_at: datetime | None = None
    message_id: str = ""


def record(*, connection: Connection, source: str, received: list[Received]) -> list[IntakeItem]:
    """The items of one mail (or one file), all or none; items recorded before are returned as they are."""
    existing = {
        item.source_key: item
        for item in IntakeItem.objects.filter(
            connection=connection, source=source, source_key__in=[r.source_key for r in received]
        )
    }
    rows = []
    for part in received:
        if part.source_key in existing:
            continue
        row = IntakeItem(
            connection=connection,
            source=source,
            source_key=part.source_key,
            message_key=part.message_key,
            part_index=part.part_index,
            filename=part.filename[:255],
            content_type=part.content_type[:100],
            size=len(part.payload),
            sender=part.sender[:255],
            subject=part.subject[:500],
            sent_at=part.sent_at,
            message_id=part.message_id[:255],
        )
        if part.skip_reason:
            row.state, row.reason = IntakeItem.State.SKIPPED, part.skip_reason
        else:
            _prepare_receipt(row, part)
        rows.append(row)
    with transaction.atomic():
        for row in rows:
            row.save()
    return list(existing.values()) + rows


def _prepare_receipt(row: IntakeItem, part: Received) -> None:
    """Refuse what the receipt checks refuse right away (nothing stored); keep the bytes of the rest."""
    try:
        checked = check_upload(SimpleUploadedFile(part.filename or "receipt", part.payload))
    except UploadRejected as exc:
        row.state, row.reason = IntakeItem.State.REFUSED, exc.message
        return
    row.sha256, row.content_type = checked.sha256, checked.content_type
    row.content.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(part.payload), save=False)


def settle_open(*, connection: Connection, message_key: str, source: str) -> bool:
    """Take the open items of one mail or file through the upload path; True when all of them are settled."""
    items = IntakeItem.objects.filter(connection=connection, source=source, message_key=message_key)
    for item_id in items.filter(state__in=IntakeItem.OPEN).values_list("pk", flat=True):
        process_item(item_id=item_id)
    return not items.filter(state__in=IntakeItem.OPEN).exists()


def process_item(*, item_id: int) -> IntakeItem | None:
    """Upload one item (or follow its upload); None when another worker holds it or it is settled."""
    open_item = IntakeItem.objects.filter(pk=item_id, state__in=IntakeItem.OPEN)
    now = timezone.now()
    if not claim(open_item, field="lease_until", lease=lease(), now=now, state=IntakeItem.State.QUEUED):
        return None
    IntakeItem.objects.filter(pk=item_id).update(attempts=F("attempts") + 1)
    item = IntakeItem.objects.select_related("connection").get(pk=item_id)
    try:
        if item.upload_id is None:
            _store(item)
        if item.upload_id is not None:
            push_upload(upload_id=item.upload_id)
            _settle_from_upload(item)
    finally:
        IntakeItem.objects.filter(pk=item_id).update(lease_until=None)
    item.refresh_from_db()
    return item


def _store(item: IntakeItem) -> None:
    with item.content.open("rb") as fileobj:
        payload = fileobj.read()
    received = SimpleUploadedFile(item.filename or f"receipt.{item.content_type.rsplit('/', 1)[-1]}", payload)
    try:
        with transaction.atomic():
            upload = store_receipt(connection=item.connection, upload=received, user=None)
            item.upload = upload
            item.save(update_fields=["upload", "updated_at"])
    except DuplicateUpload as exc:
        _settle(item, IntakeItem.State.DUPLICATE, exc.message, duplicate_of=exc.voucher)
    except IntegrityError:  # the same bytes came through the other door at the same moment
        item.upload = None
        _settle(item, IntakeItem.State.DUPLICATE, SAME_BYTES)
    except WriteError as exc:
        _settle(item, IntakeItem.State.REFUSED, exc.message)


def _settle_from_upload(item: IntakeItem) -> None:
    upload = Upload.objects.get(pk=item.upload_id or 0)
    if upload.state in (Upload.State.UPLOADED, Upload.State.LINKED):
        _settle(item, IntakeItem.State.UPLOADED, "")
    elif upload.state == Upload.State.FAILED:
        _settle(item, IntakeItem.State.FAILED, upload.error)
    # pending: Lexoffice is not reachable now; the item stays queued and the next poll follows it


def _settle(item: IntakeItem, state: str, reason: str, *, duplicate_of: Voucher | None = None) -> None:
    IntakeItem.objects.filter(id=item.id).update(
        state=state, reason=reason, duplicate_of=duplicate_of, updated_at=timezone.now()
    )


def lease() -> timedelta:
    """How long a worker holds an item or a door; a dead worker's hold runs out after this."""
    return timedelta(seconds=settings.LEXHUB_INTAKE_LEASE_SECONDS)
