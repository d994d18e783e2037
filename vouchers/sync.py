"""Vouchers: the voucher list (every type), bookkeeping voucher details and their files, voucher writes.
Receipt uploads (new files sent to Lexoffice) are in vouchers/receipts/sync.py."""

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from connections import changes
from connections.mirror import (
    bulk_upsert,
    mark_deleted,
    parse_datetime,
    parse_decimal,
    parse_uuid,
    upsert_one,
)
from connections.models import Connection, OutboxEntry
from connections.progress import Progress
from connections.writes import EditConflict, WriteError, claimed_ids, operation, remember_created, submit
from contacts.models import Contact
from lexoffice.client import Conflict, Lexoffice, NotFound
from vouchers import hooks
from vouchers.models import BOOKKEEPING_TYPES, File, Upload, Voucher
from vouchers.previews.service import request_preview
from vouchers.validation import validate_voucher

PAGE_SIZE = 250


def chunked(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def contact_index(connection: Connection) -> dict[uuid.UUID, int]:
    return dict(Contact.objects.filter(connection=connection).values_list("lexoffice_id", "pk"))


def list_entry_fields(entry: dict, contacts: dict[uuid.UUID, int]) -> dict:
    contact_id = parse_uuid(entry.get("contactId"))
    return {
        "voucher_type": entry.get("voucherType") or "",
        "voucher_status": entry.get("voucherStatus") or "",
        "voucher_number": (entry.get("voucherNumber") or "")[:100],
        "voucher_date": parse_datetime(entry.get("voucherDate")),
        "due_date": parse_datetime(entry.get("dueDate")),
        "contact_lexoffice_id": contact_id,
        "contact_id": contacts.get(contact_id) if contact_id else None,
        "contact_name": (entry.get("contactName") or "")[:255],
        "total_amount": parse_decimal(entry.get("totalAmount")),
        "open_amount": parse_decimal(entry.get("openAmount")),
        "currency": entry.get("currency") or "EUR",
        "archived": bool(entry.get("archived")),
        "remote_created_at": parse_datetime(entry.get("createdDate")),
        "remote_updated_at": parse_datetime(entry.get("updatedDate")),
        "raw": entry,
    }


def needs_details(voucher: Voucher) -> bool:
    """A bookkeeping voucher whose details are missing or older than its list entry."""
    if voucher.voucher_type not in BOOKKEEPING_TYPES:
        return False
    if voucher.details is None:
        return True
    return parse_datetime(voucher.details.get("updatedDate")) != voucher.remote_updated_at


def pull_voucherlist(
    *, connection: Connection, client: Lexoffice, progress: Progress, updated_since: date | None = None
) -> set[uuid.UUID]:
    """Walk the voucher list (date windows keep it under the search window), upsert every entry,
    then fetch the details the product needs. Returns the ids seen."""
    contacts = contact_index(connection)
    seen: set[uuid.UUID] = set()
    progress.phase("vouchers")
    filters = {"voucher_type": "any", "voucher_status": "any"}
    if updated_since is not None:
        filters["updated_date_from"] = updated_since
    for page in chunked(client.iter_voucherlist(**filters), PAGE_SIZE):
        rows = {}
        for entry in page:
            lexoffice_id = parse_uuid(entry.get("id"))
            if lexoffice_id is None:
                progress.error("vouchers")
                continue
            rows[lexoffice_id] = list_entry_fields(entry, contacts)
        progress.add_total(len(rows))
        for outcome in bulk_upsert(model=Voucher, connection=connection, rows=rows).values():
            progress.count("vouchers", outcome)
        seen |= set(rows)
        pull_voucher_details(connection=connection, client=client, progress=progress, lexoffice_ids=list(rows))
        for hook in hooks.after_voucherlist_page:
            hook(connection=connection, client=client, progress=progress, lexoffice_ids=list(rows))
    return seen


def pull_voucher_details(
    *, connection: Connection, client: Lexoffice, progress: Progress, lexoffice_ids: list[uuid.UUID]
) -> None:
    pending = [
        v for v in Voucher.objects.filter(connection=connection, lexoffice_id__in=lexoffice_ids) if needs_details(v)
    ]
    progress.add_total(len(pending))
    for voucher in pending:
        outcome = refresh_voucher(
            connection=connection, lexoffice_id=str(voucher.lexoffice_id), client=client, list_is_current=True
        )
        progress.count("voucher details", "deleted" if outcome == "deleted" else "updated")
    if connection.fetch_files_eagerly:
        pull_missing_files(connection=connection, client=client, progress=progress, lexoffice_ids=lexoffice_ids)


def detail_fields(data: dict, contacts: dict[uuid.UUID, int] | None = None) -> dict:
    """Columns a bookkeeping voucher's own record sets (it wins over an older list entry)."""
    contact_id = parse_uuid(data.get("contactId"))
    fields = {
        "details": data,
        "details_version": data.get("version"),
        "version": data.get("version"),
        "voucher_status": data.get("voucherStatus") or "",
        "voucher_number": (data.get("voucherNumber") or "")[:100],
        "voucher_date": parse_datetime(data.get("voucherDate")),
        "due_date": parse_datetime(data.get("dueDate")),
        "total_amount": parse_decimal(data.get("totalGrossAmount")),
        "contact_lexoffice_id": contact_id,
        "remote_created_at": parse_datetime(data.get("createdDate")),
        "remote_updated_at": parse_datetime(data.get("updatedDate")),
        "archived": bool(data.get("archived")),
    }
    if data.get("type"):
        fields["voucher_type"] = data["type"]
    if contacts is not None:
        fields["contact_id"] = contacts.get(contact_id) if contact_id else None
    return fields


def store_voucher(*, connection: Connection, data: dict, list_is_current: bool = False) -> tuple[Voucher, str]:
    """Upsert a bookkeeping voucher from its own record. During a sync the list entry was stored
    moments ago and wins for the listed columns (e.g. `overdue`); otherwise the record is newer."""
    lexoffice_id = uuid.UUID(data["id"])
    if list_is_current and Voucher.objects.filter(connection=connection, lexoffice_id=lexoffice_id).exists():
        fields = {"details": data, "details_version": data.get("version"), "version": data.get("version")}
    else:
        contact_pk = None
        if contact_id := parse_uuid(data.get("contactId")):
            contact_pk = (
                Contact.objects.filter(connection=connection, lexoffice_id=contact_id)
                .values_list("pk", flat=True)
                .first()
            )
        fields = detail_fields(data) | {"contact_id": contact_pk}
    outcome = upsert_one(model=Voucher, connection=connection, lexoffice_id=lexoffice_id, fields=fields)
    voucher = Voucher.objects.get(connection=connection, lexoffice_id=lexoffice_id)
    link_files(connection=connection, voucher=voucher)
    return voucher, outcome


def refresh_voucher(
    *, connection: Connection, lexoffice_id: str, client: Lexoffice, list_is_current: bool = False
) -> str:
    """Re-fetch one bookkeeping voucher; a 404 marks it deleted upstream."""
    try:
        data = client.voucher(lexoffice_id)
    except NotFound:
        mark_deleted(model=Voucher, connection=connection, lexoffice_ids=[uuid.UUID(lexoffice_id)])
        return "deleted"
    voucher, outcome = store_voucher(connection=connection, data=data, list_is_current=list_is_current)
    if connection.fetch_files_eagerly:
        for file in voucher.files.filter(content=""):
            fetch_file(file=file, client=client)
    return outcome


def link_files(*, connection: Connection, voucher: Voucher) -> None:
    """Make a File row for each file id the voucher lists (content fetched on demand or eagerly), and move the
    receipt uploads of those files on to linked (vouchers/receipts/sync.py: the voucher they were waiting for)."""
    for file_id in voucher.file_ids:
        lexoffice_id = parse_uuid(file_id)
        if lexoffice_id is None:
            continue
        File.objects.update_or_create(connection=connection, lexoffice_id=lexoffice_id, defaults={"voucher": voucher})
    waiting = Upload.objects.filter(
        connection=connection, file__lexoffice_id__in=voucher.file_ids, state=Upload.State.UPLOADED
    )
    linked = list(waiting.values_list("pk", flat=True))
    waiting.filter(pk__in=linked).update(voucher=voucher, state=Upload.State.LINKED)
    for upload_id in linked:  # outgoing webhooks: the receipt became this voucher (its record: voucher.*)
        changes.notify(
            connection_id=connection.pk,
            event_type="receipt.completed",
            data={"upload": upload_id, "voucher": voucher.pk, "voucherLexofficeId": str(voucher.lexoffice_id)},
        )


def pull_missing_files(
    *, connection: Connection, client: Lexoffice, progress: Progress, lexoffice_ids: list[uuid.UUID]
) -> None:
    missing = list(File.objects.filter(connection=connection, voucher__lexoffice_id__in=lexoffice_ids, content=""))
    progress.add_total(len(missing))
    for file in missing:
        fetch_file(file=file, client=client)
        progress.count("files", "created")


def fetch_file(*, file: File, client: Lexoffice) -> File:
    """Download a file's bytes into storage (streamed and hashed), once."""
    digest = hashlib.sha256()
    chunks = []
    with client.download_file(str(file.lexoffice_id)) as download:
        for chunk in download.iter_content():
            digest.update(chunk)
            chunks.append(chunk)
        content_type, filename = download.content_type, download.filename
    data = b"".join(chunks)
    with transaction.atomic():
        file.content_type = content_type or "application/octet-stream"
        file.filename = (filename or file.filename or str(file.lexoffice_id))[:255]
        file.size = len(data)
        file.sha256 = digest.hexdigest()
        file.fetched_at = timezone.now()
        file.content.save(str(file.lexoffice_id), ContentFile(data), save=False)
        file.save()
    for hook in hooks.after_file_fetched:
        hook(file=file, content=data)
        request_preview(file)
    return file


def ensure_local_file(*, file: File) -> File:
    """Our copy of a file, downloaded from Lexoffice the first time it is needed."""
    if not file.is_local:
        fetch_file(file=file, client=file.connection.client())
    return file


# --- writes ---------------------------------------------------------------------------------

READ_ONLY = ("id", "organizationId", "createdDate", "updatedDate", "version", "archived")
PAYMENT_STATUSES = ("paid", "paidoff", "voided", "transferred", "sepadebit")


def push_voucher(*, connection: Connection, data: dict, user) -> Voucher:
    """Create a bookkeeping voucher (totals checked locally first), then mirror it."""
    payload = {key: value for key, value in data.items() if key not in READ_ONLY}
    if errors := validate_voucher(payload):
        raise WriteError("Please correct the marked fields.", errors)
    lexoffice_id = submit(connection=connection, user=user, operation_name="create_voucher", payload=payload)
    return Voucher.objects.get(connection=connection, lexoffice_id=lexoffice_id)


def update_voucher(*, voucher: Voucher, data: dict, version: int, user) -> Voucher:
    """PUT a voucher with its version; the existing files always travel along (omitting them deletes them)."""
    payload = {key: value for key, value in data.items() if key not in READ_ONLY} | {"version": version}
    payload.setdefault("files", voucher.file_ids)
    if payload.get("voucherStatus") in PAYMENT_STATUSES:
        payload.pop("voucherStatus")  # derived from payments; Lexoffice refuses it in a PUT
    if errors := validate_voucher(payload):
        raise WriteError("Please correct the marked fields.", errors)
    submit(
        connection=voucher.connection,
        user=user,
        operation_name="update_voucher",
        payload=payload,
        target_id=str(voucher.lexoffice_id),
    )
    voucher.refresh_from_db()
    return voucher


def _find_created_voucher(entry: OutboxEntry) -> str | None:
    """After a lost create response: the voucher with our number and content nobody else claimed."""
    payload = entry.payload
    if not payload.get("voucherNumber"):
        return None
    client = entry.connection.client()
    claimed = claimed_ids(entry)
    for candidate in client.vouchers_by_number(payload["voucherNumber"]):
        if candidate.get("id") in claimed:
            continue
        same = (
            candidate.get("type") == payload.get("type")
            and parse_decimal(candidate.get("totalGrossAmount")) == parse_decimal(payload.get("totalGrossAmount"))
            and str(candidate.get("voucherDate") or "").startswith(str(payload.get("voucherDate") or ""))
        )
        if same:
            remember_created(entry, candidate["id"])
            store_voucher(connection=entry.connection, data=candidate)
            return candidate["id"]
    return None


@operation("create_voucher", lookup=_find_created_voucher)
def _create_voucher(entry: OutboxEntry) -> str:
    client = entry.connection.client()
    if not entry.lexoffice_id:
        remember_created(entry, client.create_voucher(entry.payload)["id"])
    store_voucher(connection=entry.connection, data=client.voucher(entry.lexoffice_id))
    return entry.lexoffice_id


@operation("update_voucher")
def _update_voucher(entry: OutboxEntry) -> str:
    client = entry.connection.client()
    try:
        client.update_voucher(entry.target_id, entry.payload)
    except Conflict:
        theirs = client.voucher(entry.target_id)
        raise EditConflict(mine=entry.payload, theirs=theirs, fields=["version"]) from None
    store_voucher(connection=entry.connection, data=client.voucher(entry.target_id))
    return entry.target_id
