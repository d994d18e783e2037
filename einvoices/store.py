"""Receiving e-invoices: the recogniser the receipt upload asks (vouchers.hooks), the duplicate check by seller and
number, and keeping the XML exactly as received beside its upload."""

import hashlib
import logging
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils.translation import get_language

from connections.models import Connection
from connections.writes import WriteError
from einvoices.document import Finding
from einvoices.models import EInvoice, seller_key
from einvoices.reading import Reading, Refused, read_einvoice
from vouchers.models import File, Upload
from vouchers.receipts.checks import DuplicateUpload

log = logging.getLogger(__name__)
READABLE_TYPES = ("application/pdf", "application/xml")


class DuplicateEInvoice(DuplicateUpload):
    """An e-invoice with the same seller and number was received before (whatever its bytes)."""

    def __init__(self, existing: EInvoice) -> None:
        assert existing.upload is not None
        super().__init__(existing.upload)
        self.message = _in_language(
            f"Eine E-Rechnung mit der Nummer {existing.number} von {existing.seller_name} wurde schon hochgeladen.",
            f"An e-invoice numbered {existing.number} from {existing.seller_name} was uploaded before.",
        )
        self.field_errors = {"file": [self.message]}


def recognise_received_file(
    *, connection: Connection, content: bytes, content_type: str, force: bool, **_: Any
) -> Callable[[Upload], None] | None:
    """vouchers.hooks recogniser: None for a file that is no e-invoice; a refusal (WriteError, nothing stored) for
    one that claims to be and cannot be read safely; else what keeps its XML once the upload is stored."""
    if content_type not in READABLE_TYPES:
        return None
    try:
        reading = read_einvoice(content)
    except Refused as exc:
        message = _in_language(exc.message_de, exc.message_en)
        raise WriteError(message, {"file": [message]}, status=400) from None
    if reading is None:
        return None
    if not force:
        refuse_duplicate_einvoice(connection=connection, reading=reading)

    def keep(upload: Upload) -> None:
        keep_einvoice(connection=connection, reading=reading, upload=upload)

    return keep


def refuse_duplicate_einvoice(*, connection: Connection, reading: Reading) -> None:
    invoice = reading.invoice
    if not invoice.number:
        return
    key = seller_key(invoice.seller.vat_id, invoice.seller.name)
    candidates = EInvoice.objects.filter(connection=connection, number=invoice.number, upload__isnull=False)
    for existing in candidates.exclude(upload__state=Upload.State.FAILED).select_related("upload__voucher"):
        if existing.seller_key == key:
            raise DuplicateEInvoice(existing)


def recognise_fetched_file(*, file: File, content: bytes, **_: Any) -> EInvoice | None:
    """vouchers.hooks: an e-invoice among the receipts mirrored from Lexoffice (uploaded there, not through Lexhub)
    is kept and checked too. One Lexhub cannot read is left alone: it is Lexoffice's copy, and sync goes on."""
    if EInvoice.objects.filter(Q(file=file) | Q(upload__file=file)).exists():
        return None
    try:
        reading = read_einvoice(content)
    except Refused as exc:
        log.info("file %s not read as an e-invoice (%s)", file.pk, exc.code)
        return None
    if reading is None:
        return None
    return keep_einvoice(connection=file.connection, reading=reading, upload=None, file=file)


def keep_einvoice(
    *, connection: Connection, reading: Reading, upload: Upload | None, file: File | None = None
) -> EInvoice:
    invoice = reading.invoice
    row = EInvoice(
        connection=connection,
        upload=upload,
        file=file,
        container=reading.container,
        xml_name=reading.xml_name[:100],
        xml_sha256=hashlib.sha256(reading.xml).hexdigest(),
        xml_size=len(reading.xml),
        syntax=invoice.syntax,
        profile=reading.profile,
        number=invoice.number[:200],
        type_code=invoice.type_code[:10],
        seller_name=invoice.seller.name[:255],
        seller_vat_id=invoice.seller.vat_id[:50],
        issue_date=invoice.issue_date,
        currency=invoice.currency[:3],
        gross=_storable(invoice.totals.gross),
        data=invoice.to_json(),
        findings=[finding.to_json() for finding in reading.findings],
        error_count=len(reading.errors),
    )
    row.xml.save(f"{uuid.uuid4().hex}.xml", ContentFile(reading.xml), save=False)  # never the sender's name
    row.save()
    return row


def _storable(amount: Decimal | None) -> Decimal | None:
    """The column's range (14 digits before the point); the full value stays in `data` and the XML."""
    if amount is None or abs(amount) >= Decimal("1e14"):
        return None
    return amount.quantize(Decimal("0.01"))


def _in_language(german: str, english: str) -> str:
    return german if (get_language() or "").startswith("de") else english


def finding_message(finding: Finding) -> str:
    return _in_language(finding.message_de, finding.message_en)
