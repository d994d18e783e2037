"""Master data (§18) and payments (§15)."""

from sandbox.contacts import COUNTRIES
from sandbox.errors import regular
from sandbox.sales import open_amount
from sandbox.store import Organization
from sandbox.taxes import EU_MEMBERS

SMALL_BUSINESS_2025 = "7a1efa0e-6283-4cbf-9583-8e88d3ba5960"
SMALL_BUSINESS_2026 = "f5c7fee8-f184-4e7a-ab04-8f7e7ad6c207"
CATEGORIES = [
    ("8f8664a8-fd86-11e1-a21f-0800200c9a66", "Warenverkäufe", "income"),
    ("8f8664a0-fd86-11e1-a21f-0800200c9a66", "Dienstleistungen", "income"),
    ("8f8664a1-fd86-11e1-a21f-0800200c9a66", "Einnahmen", "income"),
    ("9075a4e3-66de-4795-a016-3889feca0d20", "Innergemeinschaftliche Lieferung", "income"),
    ("380a20cb-d04c-426e-b49c-84c22adfa362", "Fremdleistungen §13b", "income"),
    ("93d24c20-ea84-424e-a731-5e1b78d1e6a9", "Ausfuhrlieferungen an Drittländer", "income"),
    ("ef5b1a6e-f690-4004-9a19-91276348894f", "Dienstleistungen an Drittländer", "income"),
    # Two Kleinunternehmer ids are in circulation (§9.4 [UNCONFIRMED]); an organization knows the ones in
    # Organization.small_business_categories (default: the 2026 one only) and lists only those.
    (SMALL_BUSINESS_2025, "Einnahmen als Kleinunternehmer", "income"),
    (SMALL_BUSINESS_2026, "Einnahmen als Kleinunternehmer", "income"),
    ("7c112b66-0565-479c-bc18-5845e080880a", "Fernverkauf", "income"),
    ("d73b880f-c24a-41ea-a862-18d90e1c3d82", "Elektronische Dienstleistungen", "income"),
    ("4ebd965a-7126-416c-9d8c-a5c9366ee473", "Fernverkauf in EU-Land steuerpflichtig", "income"),
    ("7ecea006-844c-4c98-a02d-aa3142640dd5", "Elektronische Dienstleistung in EU-Land steuerpflichtig", "income"),
    ("16d04a28-9d3d-4a83-a0f4-5ef6b1b3c2a1", "Wareneingang", "outgo"),
    ("8f8664a5-fd86-11e1-a21f-0800200c9a66", "Bürobedarf", "outgo"),
    ("2e7f3c9a-5b1d-4e3a-9c7e-3f1a2b4c5d6e", "Fremdleistungen", "outgo"),
]


def countries() -> list[dict]:
    return [
        {
            "countryCode": code,
            "countryNameEN": code,
            "countryNameDE": code,
            "taxClassification": "de"
            if code == "DE"
            else "intraCommunity"
            if code in EU_MEMBERS
            else "thirdPartyCountry",
        }
        for code in sorted(COUNTRIES)
    ]


def posting_categories(org: Organization | None = None) -> list[dict]:
    hidden = known_categories_hidden(org)
    return [
        {
            "id": cid,
            "name": name,
            "type": kind,
            "contactRequired": False,
            "splitAllowed": True,
            "groupName": "Einnahmen" if kind == "income" else "Ausgaben",
        }
        for cid, name, kind in CATEGORIES
        if cid not in hidden
    ]


def known_categories_hidden(org: Organization | None) -> set[str]:
    """The Kleinunternehmer ids this organization does not know (it answers them like unknown ids)."""
    if org is None:
        return set()
    return {SMALL_BUSINESS_2025, SMALL_BUSINESS_2026} - set(org.small_business_categories)


def payment_conditions() -> list[dict]:
    return [
        {
            "id": "cb0f1a05-1111-4b4b-9c9c-0a0a0a0a0a01",
            "organizationDefault": True,
            "paymentTermLabelTemplate": "Zahlbar innerhalb von {paymentRange} Tagen",
            "paymentTermDuration": 14,
        },
        {
            "id": "cb0f1a05-2222-4b4b-9c9c-0a0a0a0a0a02",
            "organizationDefault": False,
            "paymentTermLabelTemplate": "{discount} Skonto bei Zahlung in {discountRange} Tagen",
            "paymentTermDuration": 30,
            "paymentDiscountConditions": {"discountPercentage": 2, "discountRange": 10},
        },
    ]


def print_layouts() -> list[dict]:
    return [{"id": "9d1c7a88-3333-4c4c-8e8e-0b0b0b0b0b03", "name": "Standard", "default": True}]


CATEGORY_IDS = frozenset(cid for cid, _name, _kind in CATEGORIES)
CATEGORY_TYPES = {cid: kind for cid, _name, kind in CATEGORIES}

LISTS = {
    "countries": countries,
    "posting-categories": posting_categories,
    "payment-conditions": payment_conditions,
    "print-layouts": print_layouts,
}


NO_PAYMENTS = "No payment information for this voucher/voucher type"


def payments(org: Organization, voucher_id: str, path: str) -> dict:
    """Payment state (§15); drafts, unchecked vouchers, quotations etc. and credit notes linked to an
    invoice have none (406)."""
    voucher = org.vouchers.get(voucher_id)
    if voucher is not None:
        status = voucher["voucherStatus"]
        if status in ("unchecked", "blank"):
            raise regular(406, path, NO_PAYMENTS)
        open_value = voucher.get("totalGrossAmount") if status in ("open", "sepadebit") else 0
        return _state(open_value, voucher["type"], status, voucher)
    document = org.sales.get(voucher_id)
    if document is None:
        raise regular(404, path, "Resource not found")
    amount = open_amount(document)
    linked = document["_kind"] == "creditnote" and any(
        r.get("voucherType") == "invoice" for r in document.get("relatedVouchers") or []
    )
    if amount is None or linked:
        raise regular(406, path, NO_PAYMENTS)
    return _state(amount, document["_kind"], document["voucherStatus"], document)


def _state(open_value: float | None, voucher_type: str, status: str, record: dict) -> dict:
    revenue = not voucher_type.startswith("purchase")  # sales credit notes count as revenue too (§15)
    state = {
        "openAmount": open_value or 0,
        "currency": "EUR",
        "voucherType": voucher_type,
        "voucherStatus": status,
        "paymentStatus": "balanced" if not open_value else ("openRevenue" if revenue else "openExpense"),
        "paymentItems": _items(record, status),
    }
    if status in ("paid", "paidoff"):
        state["paidDate"] = record.get("updatedDate")
    return state


def _items(record: dict, status: str) -> list[dict]:
    """What settled the record: credit notes (sales documents) and, once paid, a manual payment for the rest."""
    gross = float(record.get("totalGrossAmount") or (record.get("totalPrice") or {}).get("totalGrossAmount") or 0)
    credited = float(record.get("_credited") or 0)
    items = []
    if credited:
        items.append(
            {
                "paymentItemType": "partPaymentCreditNote",
                "postingDate": record.get("updatedDate"),
                "amount": credited,
                "currency": "EUR",
            }
        )
    if status in ("paid", "paidoff") and round(gross - credited, 2) > 0:
        items.append(
            {
                "paymentItemType": "manualPayment",
                "postingDate": record.get("updatedDate"),
                "amount": round(gross - credited, 2),
                "currency": "EUR",
            }
        )
    return items
