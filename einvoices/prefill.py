"""From an e-invoice to the bookkeeping voucher Lexoffice needs: type, number, dates, the seller as contact, and
one item per tax rate (net amount and tax, as the invoice's VAT breakdown states them)."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connections.models import Connection
from contacts.models import Contact
from einvoices.document import EInvoice

ZERO = Decimal("0")


@dataclass
class Prefill:
    """Initial values for vouchers.forms.VoucherForm and its ItemFormSet; `contact` the matched mirror contact
    (None: book on the collective contact under the seller's name)."""

    header: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)
    contact: Contact | None = None
    matched_by: str = ""  # "vat_id", "name" or ""


def match_contact(*, connection: Connection, invoice: EInvoice) -> tuple[Contact | None, str]:
    """The seller among the account's contacts: by VAT id, else by exact name. (Lexoffice contacts hold no IBAN.)"""
    contacts = Contact.objects.present().filter(connection=connection)
    vat = invoice.seller.vat_id.replace(" ", "")
    if vat:
        found = contacts.filter(raw__company__vatRegistrationId__iexact=vat).order_by("pk").first()
        if found:
            return found, "vat_id"
    if invoice.seller.name:
        found = contacts.filter(name__iexact=invoice.seller.name).order_by("pk").first()
        if found:
            return found, "name"
    return None, ""


def voucher_prefill(*, connection: Connection, invoice: EInvoice) -> Prefill:
    contact, matched_by = match_contact(connection=connection, invoice=invoice)
    header: dict[str, Any] = {
        "type": "purchasecreditnote" if invoice.is_credit_note else "purchaseinvoice",
        "voucher_status": "open",
        "voucher_number": invoice.number[:100],
        "voucher_date": invoice.issue_date,
        "shipping_date": invoice.delivery_date or invoice.period_end,
        "due_date": invoice.due_date,
        "tax_type": "net",
        "total_gross": _positive(invoice.totals.gross),
        "total_tax": _positive(invoice.totals.tax),
        "remark": _remark(invoice),
        "currency": invoice.currency or "EUR",  # not a form field: Lexoffice books in euros only
    }
    if contact is not None:
        header["contact"] = str(contact.vendor_number) if contact.vendor_number else contact.name
    else:
        header["use_collective"] = True
        header["contact_name"] = invoice.seller.name[:255]
    items = [
        {
            "amount": _positive(tax.taxable_amount),
            "tax_rate": int(tax.rate or ZERO),
            "tax_amount": _positive(tax.tax_amount),
        }
        for tax in invoice.taxes
    ]
    return Prefill(header=header, items=items, contact=contact, matched_by=matched_by)


def lexoffice_voucher(*, connection: Connection, invoice: EInvoice) -> dict[str, Any]:
    """The same mapping as Lexoffice voucher JSON (lexoffice-api.md §9), for the API and for callers without a form
    (categories are left to the bookkeeper: an e-invoice does not say how to post it)."""
    prefill = voucher_prefill(connection=connection, invoice=invoice)
    header = prefill.header
    payload: dict[str, Any] = {
        "type": header["type"],
        "voucherStatus": "open",
        "voucherNumber": header["voucher_number"],
        "voucherDate": _day(header["voucher_date"]),
        "shippingDate": _day(header["shipping_date"]),
        "dueDate": _day(header["due_date"]),
        "taxType": "net",
        "totalGrossAmount": _number(header["total_gross"]),
        "totalTaxAmount": _number(header["total_tax"]),
        "voucherItems": [
            {"amount": _number(i["amount"]), "taxAmount": _number(i["tax_amount"]), "taxRatePercent": i["tax_rate"]}
            for i in prefill.items
        ],
    }
    if prefill.contact is not None:
        payload["contactId"] = str(prefill.contact.lexoffice_id)
    else:
        payload |= {"useCollectiveContact": True, "contactName": header["contact_name"]}
    return {key: value for key, value in payload.items() if value is not None}


def _positive(value: Decimal | None) -> Decimal | None:
    # Lexoffice books a credit note as its own type with positive amounts
    return abs(value).quantize(Decimal("0.01")) if value is not None else None


def _remark(invoice: EInvoice) -> str:
    parts = [f"E-Rechnung {invoice.number}"]
    if invoice.buyer_reference:
        parts.append(f"Leitweg-ID/Käuferreferenz {invoice.buyer_reference}")
    if invoice.payment.iban:
        parts.append(f"IBAN {invoice.payment.iban}")
    return "; ".join(parts)


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def seller_contact(invoice: EInvoice) -> dict[str, Any]:
    """Lexoffice contact JSON (vendor role) for the invoice's seller, for contacts.sync.push_contact."""
    seller = invoice.seller
    company: dict[str, Any] = {"name": seller.name[:255]}
    if seller.vat_id:
        company["vatRegistrationId"] = seller.vat_id.replace(" ", "")
    if seller.tax_number:
        company["taxNumber"] = seller.tax_number
    contact: dict[str, Any] = {"roles": {"vendor": {}}, "company": company}
    if seller.country:
        address = {"street": seller.street, "zip": seller.zip, "city": seller.city, "countryCode": seller.country}
        contact["addresses"] = {"billing": [{key: value for key, value in address.items() if value}]}
    if seller.email:
        contact["emailAddresses"] = {"business": [seller.email]}
    return contact
