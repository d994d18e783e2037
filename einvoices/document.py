"""The normalised e-invoice: one shape for UBL and CII, whatever syntax or profile it came in.

Amounts are Decimals as written in the XML (never floats); a field the file leaves out is None or empty, so the
validator can tell "missing" from "zero".
"""

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

# UNTDID 1001 document type codes an invoice or credit note may carry (EN 16931 BT-3)
CREDIT_NOTE_CODES = {"381", "261", "262", "296", "308", "396", "420", "458", "532"}
CORRECTION_CODES = {"384", "471", "472", "473"}
PARTIAL_CODES = {"326"}


@dataclass
class Party:
    name: str = ""
    street: str = ""
    additional_street: str = ""
    zip: str = ""
    city: str = ""
    country: str = ""
    vat_id: str = ""
    tax_number: str = ""
    legal_id: str = ""
    email: str = ""
    contact: str = ""


@dataclass
class Line:
    id: str = ""
    name: str = ""
    description: str = ""
    quantity: Decimal | None = None
    unit: str = ""
    net_price: Decimal | None = None
    price_base_quantity: Decimal | None = None
    net_amount: Decimal | None = None
    tax_category: str = ""
    tax_rate: Decimal | None = None
    allowances: Decimal = Decimal("0")
    charges: Decimal = Decimal("0")


@dataclass
class AllowanceCharge:
    charge: bool = False
    amount: Decimal | None = None
    base_amount: Decimal | None = None
    percent: Decimal | None = None
    reason: str = ""
    reason_code: str = ""
    tax_category: str = ""
    tax_rate: Decimal | None = None


@dataclass
class TaxBreakdown:
    category: str = ""
    rate: Decimal | None = None
    taxable_amount: Decimal | None = None
    tax_amount: Decimal | None = None
    exemption_reason: str = ""
    exemption_code: str = ""


@dataclass
class Totals:
    line_net: Decimal | None = None
    allowances: Decimal | None = None
    charges: Decimal | None = None
    net: Decimal | None = None
    tax: Decimal | None = None
    tax_in_accounting_currency: Decimal | None = None
    gross: Decimal | None = None
    prepaid: Decimal | None = None
    rounding: Decimal | None = None
    due: Decimal | None = None


@dataclass
class Payment:
    means_code: str = ""
    iban: str = ""
    bic: str = ""
    account_name: str = ""
    reference: str = ""
    terms: str = ""


@dataclass
class EInvoice:
    syntax: str = ""  # "ubl" or "cii"
    specification: str = ""  # BT-24, e.g. the XRechnung or ZUGFeRD profile URN
    number: str = ""
    type_code: str = ""
    issue_date: date | None = None
    due_date: date | None = None
    delivery_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    currency: str = ""
    tax_currency: str = ""
    buyer_reference: str = ""
    order_reference: str = ""
    notes: list[str] = field(default_factory=list)
    seller: Party = field(default_factory=Party)
    buyer: Party = field(default_factory=Party)
    lines: list[Line] = field(default_factory=list)
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)
    taxes: list[TaxBreakdown] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    payment: Payment = field(default_factory=Payment)

    @property
    def is_credit_note(self) -> bool:
        return self.type_code in CREDIT_NOTE_CODES

    @property
    def is_xrechnung(self) -> bool:
        return "xrechnung" in self.specification.lower()

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (amounts as strings, dates ISO), for the database and the REST API."""
        data: dict[str, Any] = _jsonable(asdict(self))
        return data


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # "error" or "warning"
    message_de: str
    message_en: str
    place: str = ""

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def adjustment_sum(items: list[AllowanceCharge], *, charge: bool) -> Decimal:
    return sum((item.amount for item in items if item.charge is charge and item.amount is not None), Decimal("0"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
