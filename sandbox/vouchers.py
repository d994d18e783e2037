"""Bookkeeping vouchers (§9): create rules, totals cross-check, PUT file-list semantics, files."""

import copy
import uuid

from sandbox import taxes
from sandbox.clock import day_text, now_text, parse_day
from sandbox.errors import invalid, legacy
from sandbox.masterdata import CATEGORY_IDS, CATEGORY_TYPES, known_categories_hidden
from sandbox.store import Organization, stamp

TYPES = ("salesinvoice", "salescreditnote", "purchaseinvoice", "purchasecreditnote")
RATES = (0, 5, 7, 16, 19)
PAYMENT_STATUSES = ("paid", "paidoff", "voided", "transferred", "sepadebit")
READ_ONLY = ("id", "organizationId", "createdDate", "updatedDate", "archived")


def validate(org: Organization, payload: dict) -> None:
    issues: list[tuple[str, str, str]] = []

    def issue(source: str, key: str = "missing_entity") -> None:
        issues.append((source, key, "validation_failure"))

    if payload.get("type") not in TYPES:
        issue("type", "invalid_value" if payload.get("type") else "missing_entity")
    status = payload.get("voucherStatus")
    if status not in (None, "open", "unchecked"):
        issue("voucherStatus", "invalid_value")
    unchecked = status == "unchecked"
    if payload.get("taxType") not in ("net", "gross"):
        issue("taxType", "invalid_value" if payload.get("taxType") else "missing_entity")
    elif payload["taxType"] == "net" and unchecked:
        issue("taxType", "invalid_value")
    if not unchecked:
        for field in ("voucherNumber", "voucherDate", "totalGrossAmount", "totalTaxAmount", "voucherItems"):
            if payload.get(field) in (None, "", []):
                issue(field)
    for field in ("voucherDate", "shippingDate", "dueDate"):
        if payload.get(field) is not None and parse_day(payload[field]) is None:
            issue(field, "invalid_value")
    if payload.get("contactId") and payload.get("contactName"):
        issue("contactName", "custom_contact_name_for_referenced_contact_not_allowed")
    if not payload.get("useCollectiveContact"):
        if not payload.get("contactId"):
            issue("contactId")
        elif payload["contactId"] not in org.contacts:
            issue("contactId", "invalid_value")
    for file_id in payload.get("files") or []:
        if file_id not in org.files:
            issue("files", "invalid_value")
    _check_items(org, payload, issue)
    if issues:
        raise legacy(406, *issues)


def _check_items(org: Organization, payload: dict, issue) -> None:
    gross = payload.get("taxType") == "gross"
    sum_amount = sum_tax = 0.0
    for index, item in enumerate(payload.get("voucherItems") or []):
        values = [item.get(key) for key in ("amount", "taxAmount", "taxRatePercent")]
        if any(not isinstance(v, int | float) or isinstance(v, bool) for v in values) or not item.get("categoryId"):
            issue(f"voucherItems[{index}]")
            continue
        amount, tax, rate = (float(v) for v in values)
        if item["categoryId"] not in CATEGORY_IDS or item["categoryId"] in known_categories_hidden(org):
            issue(f"voucherItems[{index}].categoryId", "invalid_value")
        elif payload.get("type") in TYPES and CATEGORY_TYPES[item["categoryId"]] != _category_type(payload["type"]):
            issue(f"voucherItems[{index}].categoryId", "invalid_value")  # income for sales, outgo for purchases
        # Distance-sales categories need the matching profile principle; DESTINATION ones take EU rates.
        category_issue, rates = taxes.voucher_item_rates(org, item["categoryId"], RATES)
        if category_issue:
            issue(f"voucherItems[{index}].categoryId", category_issue)
        if rate not in rates:
            issue(f"voucherItems[{index}].taxRatePercent", "invalid_value")
        expected = amount * rate / (100 + rate) if gross else amount * rate / 100
        if abs(round(expected, 2) - tax) > 0.011:
            issue(f"voucherItems[{index}].taxAmount", "invalid_taxamount")
        sum_amount += amount if gross else amount + tax
        sum_tax += tax
    if payload.get("voucherItems") and isinstance(payload.get("totalGrossAmount"), int | float):
        if abs(round(sum_amount, 2) - float(payload["totalGrossAmount"])) > 0.005:
            issue("totalGrossAmount", "invalid_total_amount")
        if abs(round(sum_tax, 2) - float(payload.get("totalTaxAmount") or 0)) > 0.005:
            issue("totalTaxAmount", "invalid_total_amount")


def _category_type(voucher_type: str) -> str:
    return "income" if voucher_type.startswith("sales") else "outgo"


def _dates_out(voucher: dict) -> None:
    for field in ("voucherDate", "shippingDate", "dueDate"):
        day = parse_day(voucher.get(field))
        if day is not None:
            voucher[field] = day_text(day)


def create(org: Organization, payload: dict) -> dict:
    validate(org, payload)
    voucher = {key: copy.deepcopy(value) for key, value in payload.items() if key not in READ_ONLY}
    voucher.update(id=str(uuid.uuid4()), organizationId=org.id, version=0, archived=False)
    voucher["voucherStatus"] = payload.get("voucherStatus") or "open"
    voucher.setdefault("files", [])
    if voucher["voucherStatus"] != "unchecked" and not voucher.get("dueDate"):
        voucher["dueDate"] = voucher.get("voucherDate")
    _dates_out(voucher)
    stamp(voucher, created=True)
    for file_id in voucher["files"]:
        org.files[file_id].voucher_id = voucher["id"]
    org.vouchers[voucher["id"]] = voucher
    return voucher


def update(org: Organization, voucher_id: str, payload: dict) -> tuple[dict, bool]:
    """PUT; returns the voucher and whether its status changed."""
    current = org.vouchers.get(voucher_id)
    if current is None:
        raise invalid(404, "id", "not_found")
    if payload.get("version") != current["version"]:
        raise legacy(409, ("version", "invalid_value", "validation_failure"))
    status = payload.get("voucherStatus")
    if status in PAYMENT_STATUSES or (status == "unchecked" and current["voucherStatus"] != "unchecked"):
        raise invalid(406, "voucherStatus", "invalid_value")
    validate(org, {**payload, "voucherStatus": status if status in ("open", "unchecked") else None})
    replaced = {key: copy.deepcopy(value) for key, value in payload.items() if key not in READ_ONLY}
    replaced.update(
        id=voucher_id,
        organizationId=org.id,
        archived=current.get("archived", False),
        createdDate=current["createdDate"],
        version=current["version"],
    )
    if current["voucherStatus"] in PAYMENT_STATUSES:
        replaced["voucherStatus"] = current["voucherStatus"]
    else:
        replaced["voucherStatus"] = status or current["voucherStatus"]
    # Omitting a file id deletes that file for good (Lexoffice's documented behaviour).
    kept = set(replaced.get("files") or [])
    for file_id in current.get("files") or []:
        if file_id not in kept:
            org.files.pop(file_id, None)
    replaced["files"] = [f for f in replaced.get("files") or [] if f in org.files]
    _dates_out(replaced)
    stamp(replaced)
    org.vouchers[voucher_id] = replaced
    return replaced, replaced["voucherStatus"] != current["voucherStatus"]


def by_number(org: Organization, number: str) -> list[dict]:
    return [v for v in org.vouchers.values() if v.get("voucherNumber") == number]


def list_entry(voucher: dict, org: Organization) -> dict:
    from sandbox.sales import contact_name, derived_status

    contact = org.contacts.get(voucher.get("contactId") or "")
    collective = "Sammelkunde" if voucher["type"].startswith("sales") else "Sammellieferant"
    status = derived_status(voucher)
    open_amount = None
    if status in ("open", "overdue", "sepadebit"):
        open_amount = voucher.get("totalGrossAmount")
    elif status in ("paid", "paidoff", "voided", "transferred"):
        open_amount = 0.0
    return {
        "id": voucher["id"],
        "voucherType": voucher["type"],
        "voucherStatus": status,
        "voucherNumber": voucher.get("voucherNumber", ""),
        "voucherDate": voucher.get("voucherDate"),
        "createdDate": voucher["createdDate"],
        "updatedDate": voucher["updatedDate"],
        "dueDate": voucher.get("dueDate"),
        "contactId": voucher.get("contactId") if contact else None,
        "contactName": contact_name(contact) if contact else voucher.get("contactName") or collective,
        "totalAmount": voucher.get("totalGrossAmount"),
        "openAmount": open_amount,
        "currency": "EUR",
        "archived": bool(voucher.get("archived")),
    }


def new_blank(org: Organization, file_id: str) -> dict:
    """What an upload creates: a voucher to check, holding the file."""
    voucher = {
        "id": str(uuid.uuid4()),
        "organizationId": org.id,
        "type": "purchaseinvoice",
        "voucherStatus": "unchecked",
        "taxType": "gross",
        "useCollectiveContact": True,
        "voucherItems": [],
        "files": [file_id],
        "archived": False,
        "version": 0,
        "createdDate": now_text(),
    }
    stamp(voucher, created=True)
    org.vouchers[voucher["id"]] = voucher
    return voucher
