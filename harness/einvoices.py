"""Generated e-invoices for tests and the bench: UBL invoices and credit notes, CII (XRechnung, Factur-X/ZUGFeRD
levels) and PDF/A-3 files with the CII embedded (factur-x's generator). Amounts are computed here the way
EN 16931 says, so a sample is valid unless a test breaks it on purpose."""

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
GUIDELINES = {
    "minimum": "urn:factur-x.eu:1p0:minimum",
    "basicwl": "urn:factur-x.eu:1p0:basicwl",
    "basic": "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
    "en16931": "urn:cen.eu:en16931:2017",
    "extended": "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
    "xrechnung": XRECHNUNG,
}
EXEMPTIONS = {
    "AE": ("VATEX-EU-AE", "Reverse charge"),
    "K": ("VATEX-EU-IC", "Innergemeinschaftliche Lieferung"),
    "E": ("VATEX-EU-132", "Steuerfrei nach § 4 UStG"),
}


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineSpec:
    name: str
    quantity: Decimal
    price: Decimal
    category: str = "S"
    rate: Decimal = Decimal("19")
    unit: str = "C62"

    @property
    def net(self) -> Decimal:
        return money(self.quantity * self.price)


@dataclass(frozen=True)
class AdjustmentSpec:
    charge: bool
    amount: Decimal
    reason: str
    category: str = "S"
    rate: Decimal = Decimal("19")


@dataclass(frozen=True)
class Sample:
    number: str = "RE-2026-0001"
    profile: str = "xrechnung"  # a GUIDELINES key
    credit: bool = False
    currency: str = "EUR"
    tax_currency: str = ""
    tax_in_tax_currency: Decimal = Decimal("0")
    issue: str = "2026-03-02"
    due: str = "2026-04-01"
    delivery: str = "2026-02-27"
    buyer_reference: str = "04011000-12345-67"
    seller_name: str = "Nordlicht Werkstatt GmbH"
    seller_vat: str = "DE123456789"
    seller_tax_number: str = "2893/123/45678"
    seller_country: str = "DE"
    buyer_name: str = "Hafenkontor Meier KG"
    buyer_vat: str = "DE987654321"
    buyer_country: str = "DE"
    iban: str = "DE02120300000000202051"
    bic: str = "BYLADEM1001"
    prepaid: Decimal = Decimal("0")
    lines: tuple[LineSpec, ...] = (LineSpec("Beratung", Decimal("3"), Decimal("120.00")),)
    adjustments: tuple[AdjustmentSpec, ...] = ()
    notes: tuple[str, ...] = ("Vielen Dank für Ihren Auftrag.",)

    def with_(self, **changes: object) -> "Sample":
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def line_net(self) -> Decimal:
        return sum((line.net for line in self.lines), Decimal("0"))

    @property
    def allowances(self) -> Decimal:
        return sum((a.amount for a in self.adjustments if not a.charge), Decimal("0"))

    @property
    def charges(self) -> Decimal:
        return sum((a.amount for a in self.adjustments if a.charge), Decimal("0"))

    @property
    def net(self) -> Decimal:
        return self.line_net - self.allowances + self.charges

    def breakdown(self) -> list[tuple[str, Decimal, Decimal, Decimal]]:
        """(category, rate, taxable, tax) per category and rate, in first-use order."""
        bases: dict[tuple[str, Decimal], Decimal] = {}
        for line in self.lines:
            key = (line.category, line.rate)
            bases[key] = bases.get(key, Decimal("0")) + line.net
        for item in self.adjustments:
            key = (item.category, item.rate)
            bases[key] = bases.get(key, Decimal("0")) + (item.amount if item.charge else -item.amount)
        return [(cat, rate, base, money(base * rate / 100)) for (cat, rate), base in bases.items()]

    @property
    def tax(self) -> Decimal:
        return sum((tax for *_rest, tax in self.breakdown()), Decimal("0"))

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax

    @property
    def due_amount(self) -> Decimal:
        return self.gross - self.prepaid

    @property
    def type_code(self) -> str:
        return "381" if self.credit else "380"


def plain_pdf(lines: list[str]) -> bytes:
    from sandbox.documents import pdf

    return pdf(lines)


def zugferd_pdf(xml: bytes, *, lines: list[str] | None = None) -> bytes:
    """A PDF/A-3 with `xml` embedded as factur-x.xml (factur-x's generator, its XSD check on)."""
    from facturx import generate_from_binary

    return bytes(generate_from_binary(plain_pdf(lines or ["Rechnung"]), xml, check_xsd=True))


def pdf_with_attachment(name: str, content: bytes) -> bytes:
    """A PDF carrying an arbitrary attachment (for the broken cases factur-x's generator refuses to make)."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain_pdf(["Rechnung"]))))
    writer.add_attachment(name, content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
