"""Lexoffice's bookkeeping voucher rules (§9.2), checked locally, totals included."""

import re
from decimal import Decimal, InvalidOperation

from vouchers.models import BOOKKEEPING_TYPES

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TAX_RATES = {Decimal(rate) for rate in ("0", "5", "7", "16", "19")}
CENT = Decimal("0.01")
WRITABLE_STATUSES = (None, "open", "unchecked")


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def validate_voucher(data: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    if data.get("type") not in BOOKKEEPING_TYPES:
        add("type", "Choose one of: " + ", ".join(BOOKKEEPING_TYPES) + ".")
    status = data.get("voucherStatus")
    if status not in WRITABLE_STATUSES:
        add("voucherStatus", "Only 'open' or 'unchecked' can be set.")
    unchecked = status == "unchecked"
    if data.get("taxType") not in ("net", "gross"):
        add("taxType", "Choose net or gross.")
    elif data["taxType"] == "net" and unchecked:
        add("taxType", "An unchecked voucher must use gross amounts.")
    if not unchecked:
        for field in ("voucherNumber", "voucherDate", "totalGrossAmount", "totalTaxAmount", "voucherItems"):
            if data.get(field) in (None, "", []):
                add(field, "This field is required.")
    for field in ("voucherDate", "shippingDate", "dueDate"):
        if data.get(field) and not DATE.match(str(data[field])):
            add(field, "Use the format YYYY-MM-DD.")
    if data.get("contactId") and data.get("contactName"):
        add("contactName", "A custom contact name is only allowed with the collective contact.")
    if not data.get("useCollectiveContact") and not data.get("contactId"):
        add("contactId", "Choose a contact or book against the collective contact.")
    _validate_items(data, add)
    return errors


def _validate_items(data: dict, add) -> None:
    items = data.get("voucherItems") or []
    gross = data.get("taxType") == "gross"
    total_amount = total_tax = Decimal(0)
    for index, item in enumerate(items):
        amount, tax, rate = (_decimal(item.get(key)) for key in ("amount", "taxAmount", "taxRatePercent"))
        prefix = f"voucherItems[{index}]"
        if amount is None:
            add(f"{prefix}.amount", "Enter the amount.")
        if tax is None:
            add(f"{prefix}.taxAmount", "Enter the tax amount.")
        if rate is None or rate not in TAX_RATES:
            add(f"{prefix}.taxRatePercent", "Use a tax rate of 0, 5, 7, 16 or 19 %.")
        if not item.get("categoryId"):
            add(f"{prefix}.categoryId", "Choose a posting category.")
        if amount is None or tax is None or rate is None:
            continue
        expected = amount * rate / (100 + rate) if gross else amount * rate / 100
        if abs(expected.quantize(CENT) - tax) > CENT:
            add(f"{prefix}.taxAmount", f"Does not match {rate} % of the amount (expected {expected.quantize(CENT)}).")
        total_amount += amount if gross else amount + tax
        total_tax += tax
    if not items:
        return
    declared_gross, declared_tax = _decimal(data.get("totalGrossAmount")), _decimal(data.get("totalTaxAmount"))
    if declared_gross is not None and declared_gross.quantize(CENT) != total_amount.quantize(CENT):
        add("totalGrossAmount", f"Must equal the items' gross sum {total_amount.quantize(CENT)}.")
    if declared_tax is not None and declared_tax.quantize(CENT) != total_tax.quantize(CENT):
        add("totalTaxAmount", f"Must equal the items' tax sum {total_tax.quantize(CENT)}.")
