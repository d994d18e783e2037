"""Vouchers: the voucher list (every type), bookkeeping voucher details and their files."""

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from contacts.models import Contact
from lexhub.lexoffice import Lexoffice, NotFound
from lexhub.mirror import (
    bulk_upsert,
    mark_deleted,
    parse_datetime,
    parse_decimal,
    parse_uuid,
    upsert_one,
)
from lexhub.models import Connection
from lexhub.progress import Progress
from vouchers.models import BOOKKEEPING_TYPES, File, Voucher

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
    from invoices.sync import pull_sales_documents_needing_details

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
        pull_sales_documents_needing_details(connection=connection, client=client, progress=progress,
                                             lexoffice_ids=list(rows))
    return seen


def pull_voucher_details(*, connection: Connection, client: Lexoffice, progress: Progress,
                         lexoffice_ids: list[uuid.UUID]) -> None:
    pending = [v for v in Voucher.objects.filter(connection=connection, lexoffice_id__in=lexoffice_ids)
               if needs_details(v)]
    progress.add_total(len(pending))
    for voucher in pending:
        outcome = refresh_voucher(connection=connection, lexoffice_id=str(voucher.lexoffice_id), client=client)
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


def store_voucher(*, connection: Connection, data: dict) -> tuple[Voucher, str]:
    lexoffice_id = uuid.UUID(data["id"])
    contact_pk = None
    if contact_id := parse_uuid(data.get("contactId")):
        contact_pk = Contact.objects.filter(connection=connection, lexoffice_id=contact_id).values_list(
            "pk", flat=True).first()
    fields = detail_fields(data) | {"contact_id": contact_pk}
    outcome = upsert_one(model=Voucher, connection=connection, lexoffice_id=lexoffice_id, fields=fields)
    voucher = Voucher.objects.get(connection=connection, lexoffice_id=lexoffice_id)
    link_files(connection=connection, voucher=voucher)
    return voucher, outcome


def refresh_voucher(*, connection: Connection, lexoffice_id: str, client: Lexoffice) -> str:
    """Re-fetch one bookkeeping voucher; a 404 marks it deleted upstream."""
    try:
        data = client.voucher(lexoffice_id)
    except NotFound:
        mark_deleted(model=Voucher, connection=connection, lexoffice_ids=[uuid.UUID(lexoffice_id)])
        return "deleted"
    voucher, outcome = store_voucher(connection=connection, data=data)
    if connection.fetch_files_eagerly:
        for file in voucher.files.filter(content=""):
            fetch_file(file=file, client=client)
    return outcome


def link_files(*, connection: Connection, voucher: Voucher) -> None:
    """Make a File row for each file id the voucher lists (content fetched on demand or eagerly)."""
    for file_id in voucher.file_ids:
        lexoffice_id = parse_uuid(file_id)
        if lexoffice_id is None:
            continue
        File.objects.update_or_create(connection=connection, lexoffice_id=lexoffice_id,
                                      defaults={"voucher": voucher})


def pull_missing_files(*, connection: Connection, client: Lexoffice, progress: Progress,
                       lexoffice_ids: list[uuid.UUID]) -> None:
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
    return file
