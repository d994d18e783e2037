"""A dunning (Mahnung) for an overdue invoice: POST /v1/dunnings?precedingSalesVoucherId=<invoice>, through the
outbox like every write, then its PDF. Lexoffice keeps dunnings as drafts; they still print."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from connections.models import OutboxEntry
from connections.writes import WriteError, claimed_ids, operation, remember_created, submit
from invoices.models import SalesDocument
from invoices.sync import ensure_document_file, sales_document_of, store_sales_document
from lexoffice.kinds import BY_VOUCHER_TYPE
from vouchers.models import File, Voucher

DUNNABLE_TYPES = ("invoice", "downpaymentinvoice")
DUNNABLE_STATUSES = ("open", "overdue", "sepadebit")
MAX_FEE = Decimal("1000.00")


def lexoffice_datetime(moment: datetime) -> str:
    """Lexoffice's strict datetime format, yyyy-MM-ddTHH:mm:ss.SSSXXX."""
    return timezone.localtime(moment).isoformat(timespec="milliseconds")


def check_dunnable(voucher: Voucher) -> None:
    if voucher.voucher_type not in DUNNABLE_TYPES:
        raise WriteError(_("Only invoices and down payment invoices can be dunned."), status=400)
    if voucher.voucher_status not in DUNNABLE_STATUSES or not (voucher.open_amount or 0) > 0:
        raise WriteError(_("Only open invoices with an amount still owed can be dunned."), status=400)
    due = voucher.due_date or voucher.voucher_date
    if due is None or timezone.localtime(due).date() >= timezone.localdate():
        raise WriteError(_("This invoice is not overdue yet."), status=400)


def dunning_payload(invoice: SalesDocument, *, fee: Decimal, remark: str) -> dict[str, Any]:
    """The dunning's body: the invoice's recipient and tax conditions (Lexoffice requires both to match)."""
    raw = invoice.raw or {}
    address = raw.get("address") or {}
    tax_conditions = {key: value for key, value in (raw.get("taxConditions") or {}).items() if key != "taxTypeNote"}
    gross_mode = tax_conditions.get("taxType") == "gross"
    price_key = "grossAmount" if gross_mode else "netAmount"
    if fee > 0:  # a dunning fee is damages, not a supply: no VAT on it
        item = {
            "type": "custom",
            "name": _("Dunning fee"),
            "quantity": 1,
            "unitName": _("flat rate"),
            "unitPrice": {"currency": "EUR", price_key: float(fee), "taxRatePercentage": 0},
        }
    else:
        item = {"type": "text", "name": _("Payment reminder"), "description": _("Please pay the open amount.")}
    now = lexoffice_datetime(timezone.now())
    recipient = {"contactId": address["contactId"]} if address.get("contactId") else address
    return {
        "voucherDate": now,
        "address": recipient,
        "lineItems": [item],
        "totalPrice": {"currency": "EUR"},
        "taxConditions": tax_conditions or {"taxType": "net"},
        "shippingConditions": {"shippingType": "none"},
        "title": _("Dunning")[:25],
        "introduction": (_("Our invoice %(number)s is overdue.") % {"number": invoice.voucher_number})[:2000],
        "remark": remark[:2000],
    }


def push_dunning(*, voucher: Voucher, user: Any, fee: Decimal = Decimal("0"), remark: str = "") -> SalesDocument:
    """Create a dunning for this overdue invoice in Lexoffice and mirror it; WriteQueued when Lexoffice waits."""
    check_dunnable(voucher)
    if fee < 0 or fee > MAX_FEE:
        raise WriteError(_("The dunning fee must be between 0 and 1,000 €."), {"fee": [_("Out of range.")]})
    invoice = sales_document_of(voucher=voucher)
    if invoice is None:
        raise WriteError(_("The invoice no longer exists in Lexoffice."), status=404)
    payload = {
        "invoiceId": str(voucher.lexoffice_id),
        "invoicePath": BY_VOUCHER_TYPE[voucher.voucher_type].path,
        "body": dunning_payload(invoice, fee=fee, remark=remark),
    }
    lexoffice_id = submit(connection=voucher.connection, user=user, operation_name="create_dunning", payload=payload)
    return SalesDocument.objects.get(connection=voucher.connection, lexoffice_id=lexoffice_id)


def dunning_pdf(*, dunning: SalesDocument) -> File:
    return ensure_document_file(document=dunning, fmt="pdf")


def dunnings_of(invoice: Voucher) -> list[SalesDocument]:
    """The dunnings the mirror knows for this invoice (each names its invoice in relatedVouchers)."""
    found = SalesDocument.objects.present().filter(connection_id=invoice.connection_id, kind="dunning")
    wanted = str(invoice.lexoffice_id)
    return [
        document
        for document in found.order_by("-voucher_date")
        if any(related.get("id") == wanted for related in (document.raw or {}).get("relatedVouchers") or [])
    ]


def _find_created_dunning(entry: OutboxEntry) -> str | None:
    """After a lost create response: Lexoffice lists dunnings nowhere but in their invoice's relatedVouchers.
    The one there that no other write of ours claims and whose content is our payload's is ours."""
    client = entry.connection.client()
    invoice = client.sales_document(entry.payload.get("invoicePath", "invoices"), entry.payload["invoiceId"])
    claimed = claimed_ids(entry)
    for related in invoice.get("relatedVouchers") or []:
        if related.get("voucherType") != "dunning" or related.get("id") in claimed:
            continue
        candidate = client.sales_document("dunnings", related["id"])
        if _is_ours(entry.payload["body"], candidate):
            remember_created(entry, candidate["id"])
            store_sales_document(connection=entry.connection, kind="dunning", data=candidate)
            return str(candidate["id"])
    return None


def _is_ours(body: dict[str, Any], candidate: dict[str, Any]) -> bool:
    """Whether a dunning read from Lexoffice has the content we sent: its texts, its day and its items'
    names and the amounts we set (Lexoffice adds ids, computed amounts and the other of net and gross)."""
    texts = ("title", "introduction", "remark")
    if any(body.get(key) != candidate.get(key) for key in texts):
        return False
    if str(body.get("voucherDate") or "")[:10] != str(candidate.get("voucherDate") or "")[:10]:
        return False
    ours, theirs = body.get("lineItems") or [], candidate.get("lineItems") or []
    if len(ours) != len(theirs):
        return False
    for sent, read in zip(ours, theirs, strict=True):
        if (sent.get("type"), sent.get("name")) != (read.get("type"), read.get("name")):
            return False
        price, read_price = sent.get("unitPrice") or {}, read.get("unitPrice") or {}
        if any(
            float(read_price.get(key) or 0) != float(value) for key, value in price.items() if key.endswith("Amount")
        ):
            return False
    return True


@operation("create_dunning", lookup=_find_created_dunning)
def _create_dunning(entry: OutboxEntry) -> str:
    client = entry.connection.client()
    if not entry.lexoffice_id:
        result = client.create_sales_document(
            "dunnings", entry.payload["body"], preceding_id=entry.payload["invoiceId"]
        )
        remember_created(entry, result["id"])
    data = client.sales_document("dunnings", entry.lexoffice_id)
    store_sales_document(connection=entry.connection, kind="dunning", data=data)
    return entry.lexoffice_id
