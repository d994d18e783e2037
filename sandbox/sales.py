"""Sales documents: server-side totals, voucher-list entries, rendering."""

from datetime import date

from sandbox import documents
from sandbox.clock import parse_any
from sandbox.store import Organization

KIND_PATHS = {
    "invoices": "invoice",
    "credit-notes": "creditnote",
    "quotations": "quotation",
    "order-confirmations": "orderconfirmation",
    "delivery-notes": "deliverynote",
    "down-payment-invoices": "downpaymentinvoice",
    "dunnings": "dunning",
}
EVENT_RESOURCES = {
    "invoice": "invoice",
    "creditnote": "credit-note",
    "quotation": "quotation",
    "orderconfirmation": "order-confirmation",
    "deliverynote": "delivery-note",
    "downpaymentinvoice": "down-payment-invoice",
    "dunning": "dunning",
}
TITLES = {
    "invoice": "Rechnung",
    "creditnote": "Gutschrift",
    "quotation": "Angebot",
    "orderconfirmation": "Auftragsbestaetigung",
    "deliverynote": "Lieferschein",
    "downpaymentinvoice": "Abschlagsrechnung",
    "dunning": "Mahnung",
}


def compute_totals(document: dict) -> None:
    """Line amounts, tax amounts per rate and totals, as Lexoffice computes them on create."""
    gross_mode = (document.get("taxConditions") or {}).get("taxType") == "gross"
    by_rate: dict[float, float] = {}
    for item in document.get("lineItems") or []:
        if item.get("type") == "text" or item.get("optional"):  # optional quotation items are not totalled
            continue
        price = item.get("unitPrice") or {}
        rate = float(price.get("taxRatePercentage") or 0)
        quantity = float(item.get("quantity") or 0)
        discount = 1 - float(item.get("discountPercentage") or 0) / 100
        if gross_mode:
            gross_unit = float(price.get("grossAmount") or 0)
            price["netAmount"] = round(gross_unit / (1 + rate / 100), 4)
        else:
            price["grossAmount"] = round(float(price.get("netAmount") or 0) * (1 + rate / 100), 4)
        net = round(float(price.get("netAmount") or 0) * quantity * discount, 2)
        item["lineItemAmount"] = round(float(price.get("grossAmount")) * quantity * discount, 2) if gross_mode else net
        by_rate[rate] = by_rate.get(rate, 0.0) + net
    total = document.setdefault("totalPrice", {"currency": "EUR"})
    keep = 1 - _total_discount(total, by_rate, gross_mode)
    net_total = tax_total = 0.0
    document["taxAmounts"] = []
    for rate, net in sorted(by_rate.items()):
        net = round(net * keep, 2)
        tax = round(net * rate / 100, 2)
        net_total += net
        tax_total += tax
        document["taxAmounts"].append({"taxRatePercentage": rate, "taxAmount": tax, "netAmount": net})
    total["totalNetAmount"] = round(net_total, 2)
    total["totalTaxAmount"] = round(tax_total, 2)
    total["totalGrossAmount"] = round(net_total + tax_total, 2)


def _total_discount(total: dict, by_rate: dict[float, float], gross_mode: bool) -> float:
    """The share of every rate's net amount a total discount takes: a percentage as it is, an absolute
    amount (net, or gross for gross documents) in proportion to the sum it reduces."""
    if total.get("totalDiscountPercentage"):
        return min(float(total["totalDiscountPercentage"]) / 100, 1.0)
    if total.get("totalDiscountAbsolute"):
        base = sum(net * (1 + rate / 100) if gross_mode else net for rate, net in by_rate.items())
        return min(float(total["totalDiscountAbsolute"]) / base, 1.0) if base else 0.0
    return 0.0


def public(document: dict) -> dict:
    shown = {key: value for key, value in document.items() if not key.startswith("_")}
    if document.get("_documentFileId"):  # the deprecated `files` object appears once a document exists
        shown["files"] = {"documentFileId": document["_documentFileId"]}
    return shown


def open_amount(document: dict) -> float | None:
    if document["voucherStatus"] in ("draft",) or document["_kind"] not in (
        "invoice",
        "downpaymentinvoice",
        "creditnote",
    ):
        return None
    if document["voucherStatus"] in ("paid", "paidoff", "voided"):
        return 0.0
    gross = (document.get("totalPrice") or {}).get("totalGrossAmount")
    if gross is None:
        return None
    return round(max(float(gross) - float(document.get("_credited") or 0), 0.0), 2)  # credit notes settle part


def list_entry(document: dict, org: Organization) -> dict:
    contact_id = (document.get("address") or {}).get("contactId")
    contact = org.contacts.get(contact_id) if contact_id else None
    return {
        "id": document["id"],
        "voucherType": document["_kind"],
        "voucherStatus": derived_status(document),
        "voucherNumber": document.get("voucherNumber", ""),
        "voucherDate": document.get("voucherDate"),
        "createdDate": document["createdDate"],
        "updatedDate": document["updatedDate"],
        "dueDate": document.get("dueDate"),
        "contactId": contact_id,
        "contactName": contact_name(contact) if contact else (document.get("address") or {}).get("name", ""),
        "totalAmount": (document.get("totalPrice") or {}).get("totalGrossAmount"),
        "openAmount": open_amount(document),
        "currency": "EUR",
        "archived": bool(document.get("archived")),
    }


def derived_status(record: dict) -> str:
    """`open` (or `sepadebit`) past its due date is listed as `overdue`."""
    status = record.get("voucherStatus")
    due = record.get("dueDate")
    if status in ("open", "sepadebit") and due and parse_any(due).date() < date.today():
        return "overdue"
    return status


def contact_name(contact: dict) -> str:
    if contact.get("company"):
        return contact["company"].get("name", "")
    person = contact.get("person") or {}
    return " ".join(part for part in (person.get("firstName"), person.get("lastName")) if part)


def render(org: Organization, document: dict) -> str:
    """The document's PDF (and XML for XRechnung) as a stored file; returns its id."""
    file_id = document.get("_documentFileId")
    if file_id and file_id in org.files:
        return file_id
    total = (document.get("totalPrice") or {}).get("totalGrossAmount") or 0
    lines = [
        f"{TITLES[document['_kind']]} {document.get('voucherNumber', '')}",
        (document.get("address") or {}).get("name", ""),
        f"Summe: {total:.2f} EUR",
    ]
    xml = (
        documents.xrechnung(document.get("voucherNumber", ""), total)
        if document.get("electronicDocumentProfile") == "XRechnung"
        else None
    )
    stored = org.add_file(
        documents.pdf(lines),
        "application/pdf",
        f"{TITLES[document['_kind']]}_{document.get('voucherNumber', document['id'])}.pdf",
        xml=xml,
    )
    document["_documentFileId"] = stored.id
    return stored.id
