# ruff: noqa: E501  (XML templates: one element per line reads better than wrapped fragments)
"""The generated corpus: valid e-invoices (every syntax, container and profile across tax situations) and broken
ones, each with what reading it must give."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal as D

from harness.einvoice_xml import cii, ubl
from harness.einvoices import AdjustmentSpec, LineSpec, Sample, pdf_with_attachment, plain_pdf, zugferd_pdf

SCENARIOS: dict[str, Sample] = {
    "one-rate": Sample(),
    "two-rates": Sample(
        lines=(
            LineSpec("Bürostuhl", D("2"), D("189.90")),
            LineSpec("Fachbuch Steuerrecht", D("1"), D("49.00"), rate=D("7")),
            LineSpec("Kabel", D("12.5"), D("1.99"), unit="MTR"),
        )
    ),
    "reverse-charge": Sample(
        seller_country="AT",
        seller_vat="ATU12345678",
        lines=(LineSpec("Wartung Server", D("4"), D("95.00"), category="AE", rate=D("0")),),
        notes=("Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge).",),
    ),
    "intra-eu": Sample(
        buyer_country="FR",
        buyer_vat="FR12345678901",
        lines=(LineSpec("Ersatzteile", D("10"), D("23.40"), category="K", rate=D("0")),),
    ),
    "exempt": Sample(lines=(LineSpec("Heilbehandlung", D("1"), D("80.00"), category="E", rate=D("0")),)),
    "allowances-charges": Sample(
        lines=(LineSpec("Druckerpapier", D("20"), D("4.50")), LineSpec("Toner", D("3"), D("59.00"))),
        adjustments=(
            AdjustmentSpec(charge=False, amount=D("10.00"), reason="Treuerabatt"),
            AdjustmentSpec(charge=True, amount=D("6.90"), reason="Versand"),
        ),
    ),
    "foreign-currency": Sample(
        currency="USD",
        tax_currency="EUR",
        tax_in_tax_currency=D("62.70"),
        lines=(LineSpec("Software licence", D("1"), D("360.00")),),
    ),
    "prepaid": Sample(prepaid=D("100.00"), lines=(LineSpec("Montage", D("6"), D("72.50")),)),
}
HEADER_ONLY = ("minimum", "basicwl")  # these ZUGFeRD profiles carry no lines


@dataclass(frozen=True)
class Case:
    name: str
    sample: Sample
    container: str  # ubl | cii | pdf
    build: Callable[[Sample], bytes]

    def content(self) -> bytes:
        return self.build(self.sample)


def valid_cases() -> list[Case]:
    cases = []
    for name, sample in SCENARIOS.items():
        number = f"RE-{name}"
        cases.append(Case(f"ubl-invoice-{name}", sample.with_(number=number), "ubl", ubl))
        cases.append(Case(f"ubl-credit-{name}", sample.with_(number=f"GS-{name}", credit=True), "ubl", ubl))
        cases.append(Case(f"cii-xrechnung-{name}", sample.with_(number=number), "cii", cii))
        for profile in (
            ("en16931", "extended", "basic") if name in ("one-rate", "two-rates", "reverse-charge") else ("en16931",)
        ):
            cases.append(
                Case(
                    f"zugferd-{profile}-{name}",
                    sample.with_(number=number, profile=profile, buyer_reference=""),
                    "pdf",
                    _pdf,
                )
            )
    for profile in HEADER_ONLY:
        for name in ("one-rate", "two-rates"):
            sample = SCENARIOS[name].with_(number=f"RE-{profile}-{name}", profile=profile, buyer_reference="")
            cases.append(Case(f"zugferd-{profile}-{name}", sample, "pdf", _pdf))
    cases.append(Case("cii-credit-note", SCENARIOS["two-rates"].with_(number="GS-cii", credit=True), "cii", cii))
    return cases


def _pdf(sample: Sample) -> bytes:
    return zugferd_pdf(cii(sample), lines=[f"Rechnung {sample.number}"])


# Broken cases: (name, bytes, refusal code or None, rule ids that must be among the findings)
BASE = Sample(number="RE-broken")
UBL_BASE = ubl(BASE).decode()
CII_BASE = cii(BASE).decode()


def _edit(text: str, old: str, new: str) -> bytes:
    assert old in text, old
    return text.replace(old, new, 1).encode()


def broken_cases(listener: str) -> list[tuple[str, bytes, str | None, set[str]]]:
    """`listener` is http://127.0.0.1:PORT: every hostile reference points there, so a fetch would be seen."""
    xxe_file = '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    xxe_http = f'<!DOCTYPE r [<!ENTITY x SYSTEM "{listener}/xxe">]>'
    dtd_http = f'<!DOCTYPE r SYSTEM "{listener}/evil.dtd">'
    param = f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{listener}/param.dtd"> %p;]>'
    laughs = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    body_ubl = UBL_BASE.split("\n", 1)[1]
    body_cii = CII_BASE.split("\n", 1)[1]
    xinclude = body_ubl.replace(
        "<cbc:Note>", f'<cbc:Note><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{listener}/xi"/>', 1
    )
    schema_loc = body_cii.replace(
        "<rsm:CrossIndustryInvoice ",
        f'<rsm:CrossIndustryInvoice xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="urn:x {listener}/schema.xsd" ',
        1,
    )
    hostile = [
        ("xxe-file-ubl", (head + xxe_file + body_ubl.replace("Vielen Dank", "&x;")).encode(), "doctype", set()),
        ("xxe-http-ubl", (head + xxe_http + body_ubl.replace("Vielen Dank", "&x;")).encode(), "doctype", set()),
        ("xxe-http-cii", (head + xxe_http + body_cii.replace("Vielen Dank", "&x;")).encode(), "doctype", set()),
        ("external-dtd", (head + dtd_http + body_ubl).encode(), "doctype", set()),
        ("parameter-entity", (head + param + body_cii).encode(), "doctype", set()),
        ("billion-laughs", (head + laughs + body_ubl.replace("Vielen Dank", "&d;")).encode(), "doctype", set()),
        ("utf16-xxe", (xxe_http + body_ubl.replace("Vielen Dank", "&x;")).encode("utf-16"), "doctype", set()),
        ("xinclude", (head + xinclude).encode(), None, {"XSD"}),
        ("schema-location", (head + schema_loc).encode(), None, set()),
        (
            "xxe-in-pdf",
            pdf_with_attachment("factur-x.xml", (head + xxe_http + body_cii).encode()),
            "attachment_not_xml",
            set(),
        ),
    ]
    broken = [
        ("wrong-namespace-ubl", _edit(UBL_BASE, "xsd:Invoice-2", "xsd:Invoice-3"), "not_einvoice", set()),
        (
            "wrong-namespace-cii",
            _edit(CII_BASE, 'CrossIndustryInvoice:100"', 'CrossIndustryInvoice:99"'),
            "not_einvoice",
            set(),
        ),
        ("not-an-invoice", b'<?xml version="1.0"?><order><id>1</id></order>', "not_einvoice", set()),
        ("truncated-ubl", cii(BASE)[:-400], "malformed", set()),
        ("truncated-cii", ubl(BASE)[:700], "malformed", set()),
        ("too-deep", (head + "<a>" * 200 + "</a>" * 200).encode(), "too_deep", set()),
        (
            "pdf-attachment-not-xml",
            pdf_with_attachment("factur-x.xml", b"%PDF-1.4 not xml at all"),
            "attachment_not_xml",
            set(),
        ),
        (
            "pdf-attachment-other-xml",
            pdf_with_attachment("factur-x.xml", b"<?xml version='1.0'?><note/>"),
            "attachment_not_xml",
            set(),
        ),
        ("missing-number", _edit(UBL_BASE, "<cbc:ID>RE-broken</cbc:ID>", ""), None, {"BR-02", "XSD"}),
        (
            "missing-issue-date",
            _edit(UBL_BASE, "<cbc:IssueDate>2026-03-02</cbc:IssueDate>", ""),
            None,
            {"BR-03", "XSD"},
        ),
        (
            "bad-issue-date",
            _edit(UBL_BASE, "2026-03-02</cbc:IssueDate>", "02.03.2026</cbc:IssueDate>"),
            None,
            {"BR-03", "XSD"},
        ),
        (
            "missing-currency",
            _edit(UBL_BASE, "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>", ""),
            None,
            {"BR-05"},
        ),
        ("missing-seller-name", _edit(CII_BASE, "<ram:Name>Nordlicht Werkstatt GmbH</ram:Name>", ""), None, {"BR-06"}),
        (
            "missing-buyer-name",
            _edit(UBL_BASE, "<cbc:RegistrationName>Hafenkontor Meier KG</cbc:RegistrationName>", ""),
            None,
            {"BR-07"},
        ),
        ("missing-type-code", _edit(CII_BASE, "<ram:TypeCode>380</ram:TypeCode>", ""), None, {"BR-04", "XSD"}),
        (
            "missing-buyer-reference",
            _edit(UBL_BASE, "<cbc:BuyerReference>04011000-12345-67</cbc:BuyerReference>", ""),
            None,
            {"BR-DE-15"},
        ),
        (
            "missing-buyer-reference-cii",
            _edit(CII_BASE, "<ram:BuyerReference>04011000-12345-67</ram:BuyerReference>", ""),
            None,
            {"BR-DE-15"},
        ),
        (
            "no-lines",
            _edit(UBL_BASE, UBL_BASE[UBL_BASE.index("<cac:InvoiceLine>") : UBL_BASE.index("</ubl:Invoice>")], ""),
            None,
            {"BR-16", "BR-CO-10"},
        ),
        (
            "wrong-line-sum",
            _edit(
                UBL_BASE,
                '<cbc:LineExtensionAmount currencyID="EUR">360.00</cbc:LineExtensionAmount></cac:Legal'.replace(
                    "</cac:Legal", ""
                ),
                '<cbc:LineExtensionAmount currencyID="EUR">350.00</cbc:LineExtensionAmount>',
            ),
            None,
            {"BR-CO-10", "BR-CO-13"},
        ),
        (
            "wrong-tax-total",
            _edit(CII_BASE, '<ram:TaxTotalAmount currencyID="EUR">68.40', '<ram:TaxTotalAmount currencyID="EUR">68.00'),
            None,
            {"BR-CO-14", "BR-CO-15"},
        ),
        (
            "wrong-tax-per-rate",
            _edit(CII_BASE, "<ram:CalculatedAmount>68.40", "<ram:CalculatedAmount>57.00"),
            None,
            {"BR-CO-17", "BR-CO-14"},
        ),
        (
            "wrong-gross",
            _edit(
                UBL_BASE,
                '<cbc:TaxInclusiveAmount currencyID="EUR">428.40',
                '<cbc:TaxInclusiveAmount currencyID="EUR">482.40',
            ),
            None,
            {"BR-CO-15", "BR-CO-16"},
        ),
        (
            "wrong-due",
            _edit(CII_BASE, "<ram:DuePayableAmount>428.40", "<ram:DuePayableAmount>400.00"),
            None,
            {"BR-CO-16"},
        ),
        (
            "wrong-taxable-amount",
            _edit(CII_BASE, "<ram:BasisAmount>360.00", "<ram:BasisAmount>300.00"),
            None,
            {"BR-CAT-08", "BR-CO-17"},
        ),
        (
            "category-missing-in-breakdown",
            _edit(
                UBL_BASE,
                "<cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>",
                "<cbc:ID>S</cbc:ID><cbc:Percent>7</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>",
            ),
            None,
            {"BR-CAT-01", "BR-CAT-08"},
        ),
        ("reverse-charge-without-vat-ids", ubl(SCENARIOS["reverse-charge"].with_(buyer_vat="")), None, {"BR-AE-02"}),
        (
            "reverse-charge-with-tax",
            _edit(
                ubl(SCENARIOS["reverse-charge"]).decode(),
                '<cbc:TaxAmount currencyID="EUR">0.00</cbc:TaxAmount><cac:TaxCategory>',
                '<cbc:TaxAmount currencyID="EUR">72.20</cbc:TaxAmount><cac:TaxCategory>',
            ),
            None,
            {"BR-CAT-09", "BR-CO-14"},
        ),
        (
            "exempt-without-reason",
            _edit(
                cii(SCENARIOS["exempt"]).decode(), "<ram:ExemptionReasonCode>VATEX-EU-132</ram:ExemptionReasonCode>", ""
            ).replace(b"<ram:ExemptionReason>Steuerfrei nach \xc2\xa7 4 UStG</ram:ExemptionReason>", b""),
            None,
            {"BR-CAT-10"},
        ),
        ("intra-eu-without-buyer-vat", cii(SCENARIOS["intra-eu"].with_(buyer_vat="")), None, {"BR-K-02"}),
        (
            "negative-price",
            _edit(UBL_BASE, '<cbc:PriceAmount currencyID="EUR">120.00', '<cbc:PriceAmount currencyID="EUR">-120.00'),
            None,
            {"BR-27"},
        ),
        (
            "no-due-date-or-terms",
            _edit(
                CII_BASE,
                CII_BASE[
                    CII_BASE.index("<ram:SpecifiedTradePaymentTerms>") : CII_BASE.index(
                        "<ram:SpecifiedTradeSettlementHeaderMonetarySummation>"
                    )
                ],
                "",
            ),
            None,
            {"BR-CO-25"},
        ),
        ("vat-id-without-country", ubl(BASE.with_(seller_vat="123456789")), None, {"BR-CO-9"}),
        (
            "amount-not-a-number",
            _edit(
                UBL_BASE,
                '<cbc:PayableAmount currencyID="EUR">428.40',
                '<cbc:PayableAmount currencyID="EUR">vierhundert',
            ),
            None,
            {"BR-15", "XSD"},
        ),
    ]
    return hostile + broken


def plain_files() -> list[tuple[str, bytes]]:
    """Files that are simply no e-invoice: reading gives None, not a refusal."""
    return [
        ("plain-pdf", plain_pdf(["Quittung"])),
        ("pdf-with-other-attachment", pdf_with_attachment("notizen.txt", b"nur Notizen")),
        ("png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
    ]
