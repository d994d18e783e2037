"""Checks an EInvoice against the EN 16931 business rules that can be computed from its data (and XRechnung's
BR-DE-15). Not the official Schematron: see docs/einvoices.md for what is and is not covered."""

from collections.abc import Iterator
from decimal import Decimal

from einvoices.document import EInvoice, Finding
from einvoices.rules import RULES

CENT = Decimal("0.01")
ZERO = Decimal("0")
ZERO_TAX_CATEGORIES = {"AE", "K", "E", "G", "O", "Z"}
EXEMPTION_NEEDED = {"AE", "K", "E", "G", "O"}


def finding(rule: str, place: str = "", **values: object) -> Finding:
    severity, german, english = RULES[rule]
    shown = {key: _shown(value) for key, value in values.items()}
    return Finding(rule, severity, german.format(**shown), english.format(**shown), place)


def _shown(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value.quantize(CENT) if value == value.quantize(CENT) else value.normalize()}"
    return str(value)


def validate(invoice: EInvoice, *, profile: str) -> list[Finding]:
    """Every finding, errors and warnings; MINIMUM and BASIC WL carry no lines, MINIMUM no VAT breakdown."""
    with_lines = profile not in ("minimum", "basicwl")
    with_breakdown = profile != "minimum"
    found = [*_mandatory(invoice, with_lines=with_lines)]
    if with_lines:
        found += _lines(invoice)
    found += _sums(invoice, with_lines=with_lines, with_breakdown=with_breakdown, with_terms=profile != "minimum")
    if with_breakdown:
        found += _breakdown(invoice, with_lines=with_lines)
    found += _parties(invoice)
    if profile == "xrechnung":
        found += _xrechnung(invoice)
    return found


def _mandatory(invoice: EInvoice, *, with_lines: bool) -> Iterator[Finding]:
    totals = invoice.totals
    required = [
        ("BR-01", invoice.specification, "BT-24"),
        ("BR-02", invoice.number, "BT-1"),
        ("BR-03", invoice.issue_date, "BT-2"),
        ("BR-04", invoice.type_code, "BT-3"),
        ("BR-05", invoice.currency, "BT-5"),
        ("BR-06", invoice.seller.name, "BT-27"),
        ("BR-07", invoice.buyer.name, "BT-44"),
        ("BR-09", invoice.seller.country, "BT-40"),
        ("BR-13", totals.net, "BT-109"),
        ("BR-14", totals.gross, "BT-112"),
        ("BR-15", totals.due, "BT-115"),
    ]
    if with_lines:
        required += [("BR-11", invoice.buyer.country, "BT-55"), ("BR-12", totals.line_net, "BT-106")]
        if not invoice.lines:
            yield finding("BR-16", "BG-25")
    for rule, value, place in required:
        if value is None or value == "":
            yield finding(rule, place)


def _lines(invoice: EInvoice) -> Iterator[Finding]:
    for index, line in enumerate(invoice.lines, start=1):
        label = line.id or str(index)
        place = f"BG-25[{index}]"
        checks = [
            ("BR-21", line.id),
            ("BR-22", line.quantity),
            ("BR-23", line.unit),
            ("BR-24", line.net_amount),
            ("BR-25", line.name),
            ("BR-26", line.net_price),
            ("BR-CO-4", line.tax_category),
        ]
        for rule, value in checks:
            if value is None or value == "":
                yield finding(rule, place, line=label)
        if line.net_price is not None and line.net_price < 0:
            yield finding("BR-27", place, line=label)


def _sums(invoice: EInvoice, *, with_lines: bool, with_breakdown: bool, with_terms: bool) -> Iterator[Finding]:
    totals = invoice.totals
    allowances = sum((a.amount or ZERO for a in invoice.allowances_charges if not a.charge), ZERO)
    charges = sum((a.amount or ZERO for a in invoice.allowances_charges if a.charge), ZERO)
    if with_lines and totals.line_net is not None:
        lines = sum((line.net_amount or ZERO for line in invoice.lines), ZERO)
        yield from _equal("BR-CO-10", "BT-106", totals.line_net, lines)
    yield from _equal("BR-CO-11", "BT-107", totals.allowances or ZERO, allowances)
    yield from _equal("BR-CO-12", "BT-108", totals.charges or ZERO, charges)
    if totals.line_net is not None and totals.net is not None:
        expected = totals.line_net - (totals.allowances or ZERO) + (totals.charges or ZERO)
        yield from _equal("BR-CO-13", "BT-109", totals.net, expected)
    if with_breakdown:
        breakdown = sum((tax.tax_amount or ZERO for tax in invoice.taxes), ZERO)
        yield from _equal("BR-CO-14", "BT-110", totals.tax or ZERO, breakdown)
    if totals.net is not None and totals.gross is not None:
        yield from _equal("BR-CO-15", "BT-112", totals.gross, totals.net + (totals.tax or ZERO))
    if totals.gross is not None and totals.due is not None:
        expected = totals.gross - (totals.prepaid or ZERO) + (totals.rounding or ZERO)
        yield from _equal("BR-CO-16", "BT-115", totals.due, expected)
    if with_terms and totals.due and totals.due > 0 and invoice.due_date is None and not invoice.payment.terms:
        yield finding("BR-CO-25", "BT-9")


def _equal(rule: str, place: str, found: Decimal, expected: Decimal) -> Iterator[Finding]:
    if found.quantize(CENT) != expected.quantize(CENT):
        yield finding(rule, place, found=found, expected=expected)


def _breakdown(invoice: EInvoice, *, with_lines: bool) -> Iterator[Finding]:
    if not invoice.taxes:
        yield finding("BR-CO-18", "BG-23")
        return
    for index, tax in enumerate(invoice.taxes, start=1):
        place = f"BG-23[{index}]"
        category, rate = tax.category, tax.rate or ZERO
        stated = tax.tax_amount or ZERO
        if category in ZERO_TAX_CATEGORIES and stated != 0:
            yield finding("BR-CAT-09", place, category=category, found=stated)
        elif tax.taxable_amount is not None:
            expected = (tax.taxable_amount * rate / 100).quantize(CENT)
            if abs(stated - expected) > CENT:
                yield finding("BR-CO-17", place, rate=rate, found=stated, expected=expected)
        if category in EXEMPTION_NEEDED and not (tax.exemption_reason or tax.exemption_code):
            yield finding("BR-CAT-10", place, category=category)
        if with_lines and tax.taxable_amount is not None:
            expected_base = _taxable_base(invoice, category, rate)
            if expected_base.quantize(CENT) != tax.taxable_amount.quantize(CENT):
                yield finding(
                    "BR-CAT-08", place, category=category, rate=rate, found=tax.taxable_amount, expected=expected_base
                )
    if with_lines:
        listed = {(tax.category, (tax.rate or ZERO).normalize()) for tax in invoice.taxes}
        used = {(line.tax_category, (line.tax_rate or ZERO).normalize()) for line in invoice.lines if line.tax_category}
        for category, rate in sorted(used - listed):
            yield finding("BR-CAT-01", "BG-23", category=category, rate=rate)


def _taxable_base(invoice: EInvoice, category: str, rate: Decimal) -> Decimal:
    def same(other_category: str, other_rate: Decimal | None) -> bool:
        return other_category == category and (other_rate or ZERO) == rate

    base = sum((line.net_amount or ZERO for line in invoice.lines if same(line.tax_category, line.tax_rate)), ZERO)
    for item in invoice.allowances_charges:
        if same(item.tax_category, item.tax_rate):
            base += (item.amount or ZERO) * (1 if item.charge else -1)
    return base


def _parties(invoice: EInvoice) -> Iterator[Finding]:
    categories = {tax.category for tax in invoice.taxes} | {line.tax_category for line in invoice.lines}
    both = bool(invoice.seller.vat_id) and bool(invoice.buyer.vat_id)
    if "AE" in categories and not both:
        yield finding("BR-AE-02", "BT-31/BT-48")
    if "K" in categories and not both:
        yield finding("BR-K-02", "BT-31/BT-48")
    for party, place in ((invoice.seller, "BT-31"), (invoice.buyer, "BT-48")):
        if party.vat_id and not party.vat_id[:2].isalpha():
            yield finding("BR-CO-9", place, vat=party.vat_id)


def _xrechnung(invoice: EInvoice) -> Iterator[Finding]:
    if not invoice.buyer_reference:
        yield finding("BR-DE-15", "BT-10")
    if not (invoice.payment.means_code or invoice.payment.iban):
        yield finding("BR-DE-1", "BG-16")
