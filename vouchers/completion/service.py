"""Completing a voucher: the payload, posting categories by name, and saving with the version the user saw."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from connections.models import Connection
from connections.writes import EditConflict
from contacts.models import Contact
from lexoffice.client import LexofficeError
from vouchers.completion.forms import RATES
from vouchers.forms import resolve_contact
from vouchers.models import Voucher
from vouchers.sync import store_voucher, update_voucher

CENT = Decimal("0.01")
EDITED = ("type", "voucherNumber", "voucherDate", "dueDate", "contactId", "contactName", "useCollectiveContact",
          "remark", "voucherItems", "totalGrossAmount", "totalTaxAmount", "taxType")  # fmt: skip
GROUPS = {"outgo": _("Expenses"), "income": _("Income")}


def categories(connection: Connection) -> list[tuple[str, list[tuple[str, str]]]]:
    """Posting categories by name, grouped by kind; fetched from Lexoffice once a day per connection."""
    key = f"posting-categories:{connection.pk}"
    found = cache.get(key)
    if found is None:
        try:
            found = [
                {"id": c["id"], "name": c.get("name") or c["id"], "type": c.get("type", "")}
                for c in connection.client().posting_categories()
            ]
        except LexofficeError:
            return []
        cache.set(key, found, timeout=86400)
    grouped: dict[str, list[tuple[str, str]]] = {}
    for category in sorted(found, key=lambda c: c["name"]):
        grouped.setdefault(category["type"], []).append((category["id"], category["name"]))
    return [(str(GROUPS.get(kind, kind)), entries) for kind, entries in sorted(grouped.items())]


def tax_of(gross: Decimal, rate: int) -> Decimal:
    return (gross * rate / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def payload(data: dict[str, Any], contact: Contact | None) -> dict[str, Any]:
    """Lexoffice's voucher JSON (gross amounts, one item per tax rate), moved to `open`."""
    items = [
        {
            "amount": float(data[f"gross_{rate}"]),
            "taxAmount": float(tax_of(data[f"gross_{rate}"], rate)),
            "taxRatePercent": rate,
            "categoryId": data[f"category_{rate}"],
        }
        for rate in RATES
        if data.get(f"gross_{rate}")
    ]
    body = {
        "type": data["type"],
        "voucherStatus": "open",
        "taxType": "gross",
        "voucherNumber": data["voucher_number"],
        "voucherDate": data["voucher_date"].isoformat(),
        "dueDate": (data.get("due_date") or data["voucher_date"]).isoformat(),
        "totalGrossAmount": float(sum(Decimal(str(i["amount"])) for i in items)),
        "totalTaxAmount": float(sum(Decimal(str(i["taxAmount"])) for i in items)),
        "voucherItems": items,
        "remark": data.get("remark") or None,
    }
    if contact is not None:
        body |= {"contactId": str(contact.lexoffice_id), "useCollectiveContact": False}
    else:
        body |= {"useCollectiveContact": True, "contactName": data.get("contact_name") or None}
    return {key: value for key, value in body.items() if value is not None}


def find_contact(voucher: Voucher, text: str) -> Contact | None:
    return resolve_contact(voucher.connection, text.strip()) if text.strip() else None


def initial(voucher: Voucher) -> dict[str, Any]:
    """The form's starting values from what Lexoffice holds (its OCR may have filled some)."""
    details = voucher.details or {}
    values: dict[str, Any] = {
        "version": voucher.details_version if voucher.details_version is not None else voucher.version,
        "type": details.get("type") or voucher.voucher_type or "purchaseinvoice",
        "voucher_number": details.get("voucherNumber") or voucher.voucher_number,
        "voucher_date": (details.get("voucherDate") or "")[:10] or None,
        "due_date": (details.get("dueDate") or "")[:10] or None,
        "contact_name": details.get("contactName") or voucher.contact_name,
        "contact": voucher.contact.name if voucher.contact else "",
        "remark": details.get("remark") or "",
    }
    for item in details.get("voucherItems") or []:
        rate = int(item.get("taxRatePercent") or 0)
        if rate in RATES:
            values[f"gross_{rate}"] = item.get("amount")
            values[f"category_{rate}"] = item.get("categoryId")
    return values


def save(*, voucher: Voucher, data: dict[str, Any], contact: Contact | None, user: object) -> Voucher:
    """PUT with the version the user saw. A concurrent change to other fields is merged and sent once more;
    one to the same fields raises EditConflict (mine, theirs and the fields both changed)."""
    mine = payload(data, contact)
    base = voucher.details if voucher.details_version == data["version"] else None
    try:
        return update_voucher(voucher=voucher, data=mine, version=data["version"], user=user)
    except EditConflict as exc:
        theirs = exc.theirs
        store_voucher(connection=voucher.connection, data=theirs)
        clashing = [key for key in EDITED if base is None or (theirs.get(key) != base.get(key) and key in mine)]
        clashing = [key for key in clashing if theirs.get(key) != mine.get(key)]
        if clashing:
            raise EditConflict(mine=mine, theirs=theirs, fields=clashing) from None
        voucher.refresh_from_db()
        merged = {**theirs, **mine}
        return update_voucher(voucher=voucher, data=merged, version=theirs["version"], user=user)
