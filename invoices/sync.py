"""Sales documents (invoices, credit notes, ...): details, rendering and downloads."""

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from connections import generations
from connections.mirror import mark_deleted, parse_datetime, parse_decimal, parse_uuid, upsert_one
from connections.models import Connection
from connections.progress import Progress
from connections.writes import WriteError, from_lexoffice
from invoices.models import SalesDocument
from lexoffice.client import Lexoffice, LexofficeError, NotFound
from lexoffice.kinds import BY_VOUCHER_TYPE
from vouchers.models import File, Voucher

# Types whose details a sync fetches; the others are fetched when a user opens them.
SYNCED_KINDS = ("invoice",)


def sales_document_fields(kind: str, data: dict) -> dict:
    total = data.get("totalPrice") or {}
    address = data.get("address") or {}
    return {
        "kind": kind,
        "voucher_number": (data.get("voucherNumber") or "")[:100],
        "voucher_status": data.get("voucherStatus") or "",
        "voucher_date": parse_datetime(data.get("voucherDate")),
        "address_name": (address.get("name") or "")[:255],
        "contact_lexoffice_id": parse_uuid(address.get("contactId")),
        "total_net_amount": parse_decimal(total.get("totalNetAmount")),
        "total_gross_amount": parse_decimal(total.get("totalGrossAmount")),
        "total_tax_amount": parse_decimal(total.get("totalTaxAmount")),
        "currency": total.get("currency") or "EUR",
        "electronic_document_profile": data.get("electronicDocumentProfile") or "",
        "version": data.get("version"),
        "archived": bool(data.get("archived")),
        "remote_created_at": parse_datetime(data.get("createdDate")),
        "remote_updated_at": parse_datetime(data.get("updatedDate")),
        "raw": data,
    }


def store_sales_document(
    *, connection: Connection, kind: str, data: dict, list_is_current: bool = False
) -> tuple[SalesDocument, str]:
    lexoffice_id = uuid.UUID(data["id"])
    voucher = Voucher.objects.filter(connection=connection, lexoffice_id=lexoffice_id).first()
    fields = sales_document_fields(kind, data) | {"voucher": voucher}
    outcome = upsert_one(model=SalesDocument, connection=connection, lexoffice_id=lexoffice_id, fields=fields)
    if voucher is not None and outcome != "unchanged" and not list_is_current:
        # The document's own record is newer than its list entry: carry the columns users filter on.
        Voucher.objects.filter(pk=voucher.pk).update(
            voucher_status=fields["voucher_status"] or voucher.voucher_status,
            voucher_number=fields["voucher_number"] or voucher.voucher_number,
            archived=fields["archived"],
            remote_updated_at=fields["remote_updated_at"] or voucher.remote_updated_at,
        )
        generations.bump(connection.pk)
    return SalesDocument.objects.get(connection=connection, lexoffice_id=lexoffice_id), outcome


def refresh_sales_document(
    *, connection: Connection, kind: str, lexoffice_id: str, client: Lexoffice, list_is_current: bool = False
) -> str:
    """Re-fetch one sales document; a 404 marks it (and its list entry) deleted upstream."""
    try:
        data = client.sales_document(BY_VOUCHER_TYPE[kind].path, lexoffice_id)
    except NotFound:
        ids = [uuid.UUID(lexoffice_id)]
        mark_deleted(model=SalesDocument, connection=connection, lexoffice_ids=ids)
        mark_deleted(model=Voucher, connection=connection, lexoffice_ids=ids)
        return "deleted"
    return store_sales_document(connection=connection, kind=kind, data=data, list_is_current=list_is_current)[1]


def pull_sales_documents_needing_details(
    *, connection: Connection, client: Lexoffice, progress: Progress, lexoffice_ids: list[uuid.UUID]
) -> None:
    """Fetch details of synced kinds whose stored detail is missing or older than the list entry."""
    entries = Voucher.objects.filter(
        connection=connection, lexoffice_id__in=lexoffice_ids, voucher_type__in=SYNCED_KINDS
    ).values_list("lexoffice_id", "voucher_type", "remote_updated_at")
    stored = dict(
        SalesDocument.objects.filter(connection=connection, lexoffice_id__in=lexoffice_ids).values_list(
            "lexoffice_id", "remote_updated_at"
        )
    )
    pending = [
        (lexoffice_id, kind)
        for lexoffice_id, kind, updated in entries
        if lexoffice_id not in stored or stored[lexoffice_id] != updated
    ]
    progress.add_total(len(pending))
    for lexoffice_id, kind in pending:
        outcome = refresh_sales_document(
            connection=connection, kind=kind, lexoffice_id=str(lexoffice_id), client=client, list_is_current=True
        )
        progress.count("invoice details", "deleted" if outcome == "deleted" else "updated")


# --- documents ------------------------------------------------------------------------------

DOCUMENT_FORMATS = {"pdf": "application/pdf", "xml": "application/xml"}


def ensure_document_file(*, document: SalesDocument, fmt: str = "pdf", client: Lexoffice | None = None) -> File:
    """The document's PDF (or XRechnung XML), downloaded once from Lexoffice and kept locally (through `client`,
    e.g. one on the backfill lane, where given)."""
    if fmt not in DOCUMENT_FORMATS:
        raise WriteError("Choose pdf or xml.", status=400)
    if fmt == "xml" and not document.is_xrechnung:
        raise WriteError("Only XRechnung invoices have an XML file.", status=404)
    current = document.document_file if fmt == "pdf" else document.xml_file
    if current is not None and current.is_local:
        return current
    if document.voucher_status == "draft" and document.kind != "dunning":  # dunnings are drafts, yet print
        raise WriteError("A draft has no document yet; finalize it in Lexoffice first.", status=409)
    client = client or document.connection.client()
    try:
        download = client.download_document(document.path, str(document.lexoffice_id), accept=DOCUMENT_FORMATS[fmt])
    except LexofficeError as exc:
        raise from_lexoffice(exc) from None
    with download:
        data = b"".join(download.iter_content())
        content_type, filename = download.content_type, download.filename
    # /file does not name the file id; derive a stable one per document and format.
    file_id = uuid.uuid5(document.lexoffice_id, fmt)
    with transaction.atomic():
        file, _ = File.objects.get_or_create(connection=document.connection, lexoffice_id=file_id)
        file.filename = (filename or f"{document.voucher_number or document.lexoffice_id}.{fmt}")[:255]
        file.content_type = (content_type or DOCUMENT_FORMATS[fmt]).split(";")[0]
        file.size = len(data)
        file.sha256 = hashlib.sha256(data).hexdigest()
        file.fetched_at = timezone.now()
        file.content.save(str(file_id), ContentFile(data), save=False)
        file.save()
        field = "document_file" if fmt == "pdf" else "xml_file"
        SalesDocument.objects.filter(pk=document.pk).update(**{field: file})
        setattr(document, field, file)
    return file


def render_document(*, document: SalesDocument) -> str:
    """Ask Lexoffice to render the document (deprecated endpoint, kept for older accounts); its file id."""
    if document.voucher_status == "draft":
        raise WriteError("A draft cannot be rendered; finalize it in Lexoffice first.", status=409)
    try:
        return document.connection.client().render_document(document.path, str(document.lexoffice_id))
    except LexofficeError as exc:
        raise from_lexoffice(exc) from None


def sales_document_of(*, voucher: Voucher) -> SalesDocument | None:
    """The sales document behind a voucher list entry, fetched from Lexoffice on this call if the
    mirror has none yet (the sync fetches details of SYNCED_KINDS only). None when Lexoffice no
    longer has it; WriteError when Lexoffice cannot answer."""
    documents = SalesDocument.objects.filter(connection=voucher.connection, lexoffice_id=voucher.lexoffice_id)
    document = documents.first()
    if document is not None:
        return document
    try:
        refresh_sales_document(
            connection=voucher.connection,
            kind=voucher.voucher_type,
            lexoffice_id=str(voucher.lexoffice_id),
            client=voucher.connection.client(),
        )
    except LexofficeError as exc:
        raise from_lexoffice(exc) from None
    return documents.present().first()
