"""What Lexoffice checks when a sales document is created (§5, §11, §12): required fields per type,
line items, tax conditions, the recipient address, shipping conditions and strict datetimes.

Every finding is a `details` entry of the regular error format; one 406 carries them all.
"""

import math
from datetime import date
from decimal import Decimal, InvalidOperation

from sandbox import taxes
from sandbox.clock import BERLIN, parse_strict
from sandbox.contacts import COUNTRIES
from sandbox.errors import regular
from sandbox.masterdata import print_layouts
from sandbox.store import Organization

TEXT_LIMITS = {"title": 25, "introduction": 2000, "remark": 2000, "deliveryTerms": 255}
TAX_TYPES = (
    "net",
    "gross",
    "vatfree",
    "intraCommunitySupply",
    "constructionService13b",
    "externalService13b",
    "thirdPartyCountryService",
    "thirdPartyCountryDelivery",
    "photovoltaicEquipment",
)
TAX_SUB_TYPES = ("distanceSales", "electronicServices")
SHIPPING_TYPES = ("service", "serviceperiod", "delivery", "deliveryperiod", "none")
ITEM_TYPES = ("service", "material", "custom", "text")
MAX_ITEMS = 300
NEEDS_SHIPPING = {"invoice", "orderconfirmation", "deliverynote", "dunning"}
NO_SHIPPING = {"creditnote", "quotation"}
NO_PAYMENT_CONDITIONS = {"creditnote", "deliverynote", "dunning"}
NO_DISCOUNTS = {"creditnote", "deliverynote"}
WITH_DELIVERY_TERMS = {"orderconfirmation", "deliverynote"}
SHIPPING_MISSING = "The shipping conditions must not be null"
GENERIC = "Validation failed for request. Please see details list for specific causes."
# Reduced German VAT (2020-07-01 .. 2020-12-31) changes the allowed rates by relevant date (§11.5).
REDUCED_VAT = (date(2020, 7, 1), date(2020, 12, 31))


class Findings:
    def __init__(self) -> None:
        self.details: list[dict] = []

    def add(self, field: str, violation: str, message: str) -> None:
        self.details.append({"violation": violation, "field": field, "message": message})

    def missing(self, field: str) -> None:
        self.add(field, "NOTNULL", "darf nicht leer sein")

    def invalid(self, field: str, message: str = "ungültiger Wert") -> None:
        self.add(field, "INVALID", message)

    def too_long(self, field: str, limit: int) -> None:
        self.add(field, "SIZE", f"Größe muss zwischen 0 und {limit} sein")


def check(org: Organization, kind: str, body: dict, path: str) -> None:
    """Raise the 406 Lexoffice gives for this create body, or return when it is acceptable."""
    found = Findings()
    voucher_date = _datetime(body, "voucherDate", found, required=True)
    if kind == "quotation":
        _datetime(body, "expirationDate", found, required=True)
    if body.get("language") not in (None, "de", "en"):
        found.invalid("language")
    for name, limit in TEXT_LIMITS.items():
        value = body.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            found.too_long(name, limit)
    if body.get("deliveryTerms") is not None and kind not in WITH_DELIVERY_TERMS:
        found.invalid("deliveryTerms", "für diesen Belegtyp nicht erlaubt")
    if body.get("printLayoutId") is not None and body["printLayoutId"] not in {p["id"] for p in print_layouts()}:
        found.invalid("printLayoutId")
    if body.get("xRechnung") is not None and kind != "invoice":
        found.invalid("xRechnung", "für diesen Belegtyp nicht erlaubt")
    _total_price(body, kind, found)
    tax_type = _tax_conditions(body, found)
    _address(org, body, tax_type, found)
    relevant = _shipping(body, kind, found) or voucher_date
    _payment_conditions(body, kind, found)
    default_rates = allowed_rates(relevant) if tax_type in (None, "net", "gross") else (0,)
    rates = taxes.sales_rates(org, body, tax_type, default_rates, found)
    _line_items(org, body, kind, tax_type, rates, found)
    if found.details:
        message = SHIPPING_MISSING if found.details[0]["field"] == "shippingConditions" else GENERIC
        raise regular(406, path, message, found.details)


def _datetime(body: dict, field: str, found: Findings, *, required: bool, prefix: str = "") -> date | None:
    value = body.get(field)
    if value is None:
        if required:
            found.missing(prefix + field)
        return None
    moment = parse_strict(value)
    if moment is None:
        found.add(prefix + field, "DATETIME", "erwartetes Format yyyy-MM-ddTHH:mm:ss.SSSXXX")
        return None
    return moment.astimezone(BERLIN).date()


def _total_price(body: dict, kind: str, found: Findings) -> None:
    total = body.get("totalPrice")
    if total is None:
        if kind != "deliverynote":  # delivery notes carry no prices at all
            found.missing("totalPrice")
        return
    if not isinstance(total, dict) or total.get("currency") is None:
        found.missing("totalPrice.currency")
    elif total["currency"] != "EUR":
        found.invalid("totalPrice.currency", "nur EUR wird unterstützt")
    if isinstance(total, dict):
        for name, limit in (("totalDiscountPercentage", 100), ("totalDiscountAbsolute", None)):
            value = total.get(name)
            if value is not None and not _amount(value, 2, upper=limit):
                found.invalid(f"totalPrice.{name}")


def _tax_conditions(body: dict, found: Findings) -> str | None:
    conditions = body.get("taxConditions")
    if not isinstance(conditions, dict) or conditions.get("taxType") is None:
        found.missing("taxConditions.taxType" if isinstance(conditions, dict) else "taxConditions")
        return None
    tax_type = conditions["taxType"]
    if tax_type not in TAX_TYPES:
        found.invalid("taxConditions.taxType")
        return None
    sub_type = conditions.get("taxSubType")
    if sub_type is not None and (sub_type not in TAX_SUB_TYPES or tax_type not in ("net", "gross")):
        found.invalid("taxConditions.taxSubType")
    return tax_type


def _address(org: Organization, body: dict, tax_type: str | None, found: Findings) -> None:
    address = body.get("address")
    if not isinstance(address, dict):
        found.missing("address")
        return
    contact_id = address.get("contactId")
    if contact_id:
        contact = org.contacts.get(contact_id)
        if contact is None:
            found.invalid("address.contactId", "Kontakt existiert nicht")
        elif "customer" not in (contact.get("roles") or {}):
            found.invalid("address.contactId", "Kontakt hat keine Kundenrolle")
    else:
        if not (address.get("name") or "").strip():
            found.missing("address.name")
        if tax_type not in (None, "net", "gross", "vatfree"):
            found.invalid("address.contactId", "steuerfreie Belegarten benötigen einen Kontakt")
    country = address.get("countryCode")
    if country is None and not contact_id:
        found.missing("address.countryCode")
    elif country is not None and country not in COUNTRIES:
        found.invalid("address.countryCode", "countrycode_is_not_valid")


def _shipping(body: dict, kind: str, found: Findings) -> date | None:
    """Validate shippingConditions; returns the relevant date for tax rates when it comes from them."""
    conditions = body.get("shippingConditions")
    if conditions is None:
        if kind in NEEDS_SHIPPING:
            found.missing("shippingConditions")
        return None
    if kind in NO_SHIPPING:
        found.invalid("shippingConditions", "für diesen Belegtyp nicht erlaubt")
        return None
    if not isinstance(conditions, dict):
        found.invalid("shippingConditions")
        return None
    shipping_type = conditions.get("shippingType")
    if shipping_type is None:
        found.missing("shippingConditions.shippingType")
        return None
    if shipping_type not in SHIPPING_TYPES:
        found.invalid("shippingConditions.shippingType")
        return None
    if shipping_type == "none":
        return None
    start = _datetime(conditions, "shippingDate", found, required=True, prefix="shippingConditions.")
    if not shipping_type.endswith("period"):
        return start
    end = _datetime(conditions, "shippingEndDate", found, required=True, prefix="shippingConditions.")
    if start and end and end < start:
        found.invalid("shippingConditions.shippingEndDate", "darf nicht vor dem Lieferdatum liegen")
    return end


def _payment_conditions(body: dict, kind: str, found: Findings) -> None:
    conditions = body.get("paymentConditions")
    if conditions is None:
        return
    if kind in NO_PAYMENT_CONDITIONS:
        found.invalid("paymentConditions", "für diesen Belegtyp nicht erlaubt")
        return
    duration = conditions.get("paymentTermDuration") if isinstance(conditions, dict) else None
    if not isinstance(conditions, dict) or (
        duration is not None and (not isinstance(duration, int) or isinstance(duration, bool) or duration < 0)
    ):
        found.invalid("paymentConditions.paymentTermDuration")


def allowed_rates(relevant: date | None) -> tuple[int, ...]:
    if relevant is not None and REDUCED_VAT[0] <= relevant <= REDUCED_VAT[1]:
        return (0, 5, 16)
    return (0, 7, 19)


def _line_items(
    org: Organization, body: dict, kind: str, tax_type: str | None, rates: tuple[float, ...], found: Findings
) -> None:
    items = body.get("lineItems")
    if items is None:
        found.missing("lineItems")
        return
    if not isinstance(items, list) or not items:
        found.add("lineItems", "NOTEMPTY", "darf nicht leer sein")
        return
    if len(items) > MAX_ITEMS:
        found.add("lineItems", "SIZE", f"Größe muss zwischen 1 und {MAX_ITEMS} sein")
        return
    for index, item in enumerate(items):
        prefix = f"lineItems[{index}]"
        if not isinstance(item, dict):
            found.invalid(prefix)
            continue
        _item(org, item, kind, tax_type, rates, prefix, found, top_level=True)


def _item(
    org: Organization,
    item: dict,
    kind: str,
    tax_type: str | None,
    rates: tuple[float, ...],
    prefix: str,
    found: Findings,
    *,
    top_level: bool,
) -> None:
    item_type = item.get("type")
    if item_type not in ITEM_TYPES:
        (found.missing if item_type is None else found.invalid)(f"{prefix}.type")
        return
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        found.add(f"{prefix}.name", "NOTBLANK", "darf nicht leer sein")
    elif len(name) > 255:
        found.too_long(f"{prefix}.name", 255)
    if item.get("description") is not None and len(str(item["description"])) > 2000:
        found.too_long(f"{prefix}.description", 2000)
    _quotation_extras(org, item, kind, tax_type, rates, prefix, found, top_level=top_level)
    if item_type == "text":
        return
    if item_type in ("service", "material"):
        article = org.articles.get(item.get("id") or "")
        if not item.get("id"):
            found.missing(f"{prefix}.id")
        elif article is None:
            found.invalid(f"{prefix}.id", "Artikel existiert nicht")
    if item.get("quantity") is None:
        found.missing(f"{prefix}.quantity")
    elif not _amount(item["quantity"], 4):
        found.invalid(f"{prefix}.quantity")
    if not (item.get("unitName") or "").strip():
        found.missing(f"{prefix}.unitName")
    discount = item.get("discountPercentage")
    if discount is not None:
        if kind in NO_DISCOUNTS and discount != 0:
            found.invalid(f"{prefix}.discountPercentage", "für diesen Belegtyp nicht erlaubt")
        elif not _amount(discount, 2, upper=100):
            found.invalid(f"{prefix}.discountPercentage")
    _unit_price(item.get("unitPrice"), kind, tax_type, rates, prefix, found)


def _quotation_extras(
    org: Organization,
    item: dict,
    kind: str,
    tax_type: str | None,
    rates: tuple[float, ...],
    prefix: str,
    found: Findings,
    *,
    top_level: bool,
) -> None:
    sub_items = item.get("subItems")
    if kind != "quotation":
        for extra in ("subItems", "optional", "alternative"):
            if item.get(extra) not in (None, False, []):
                found.invalid(f"{prefix}.{extra}", "nur in Angeboten erlaubt")
        return
    if not top_level and (item.get("optional") or sub_items):
        found.invalid(f"{prefix}.optional" if item.get("optional") else f"{prefix}.subItems")
    if top_level and item.get("alternative"):
        found.invalid(f"{prefix}.alternative", "nur für Unterpositionen erlaubt")
    if top_level and sub_items:
        if not isinstance(sub_items, list):
            found.invalid(f"{prefix}.subItems")
            return
        for index, sub in enumerate(sub_items):
            sub_prefix = f"{prefix}.subItems[{index}]"
            if not isinstance(sub, dict) or sub.get("alternative") is not True:
                found.invalid(f"{sub_prefix}.alternative", "Unterpositionen müssen Alternativen sein")
                continue
            _item(org, sub, kind, tax_type, rates, sub_prefix, found, top_level=False)


def _unit_price(
    price: object, kind: str, tax_type: str | None, rates: tuple[float, ...], prefix: str, found: Findings
) -> None:
    if price is None:
        if kind != "deliverynote":  # delivery notes may go without prices
            found.missing(f"{prefix}.unitPrice")
        return
    if not isinstance(price, dict):
        found.invalid(f"{prefix}.unitPrice")
        return
    if price.get("currency") is None:
        found.missing(f"{prefix}.unitPrice.currency")
    elif price["currency"] != "EUR":
        found.invalid(f"{prefix}.unitPrice.currency")
    amount_field = "grossAmount" if tax_type == "gross" else "netAmount"
    if price.get(amount_field) is None:
        found.missing(f"{prefix}.unitPrice.{amount_field}")
    elif not _amount(price[amount_field], 4, signed=True):
        found.invalid(f"{prefix}.unitPrice.{amount_field}")
    rate = price.get("taxRatePercentage")
    if rate is None:
        found.missing(f"{prefix}.unitPrice.taxRatePercentage")
        return
    if not _amount(rate, 2) or float(rate) not in rates:
        found.invalid(
            f"{prefix}.unitPrice.taxRatePercentage", f"erlaubte Steuersätze: {', '.join(f'{r:g}' for r in rates)}"
        )


def _amount(value: object, decimals: int, *, upper: float | None = None, signed: bool = False) -> bool:
    """A JSON number with at most `decimals` decimal places, not negative unless `signed`."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return False
    try:
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
    except InvalidOperation:
        return False
    if isinstance(exponent, int) and -exponent > decimals:
        return False
    if not signed and value < 0:
        return False
    return upper is None or value <= upper
