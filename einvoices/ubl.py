"""UBL 2.1 Invoice and CreditNote (XRechnung UBL, Peppol BIS) into the normalised EInvoice."""

from lxml import etree

from einvoices.document import (
    AllowanceCharge,
    EInvoice,
    Line,
    Party,
    Payment,
    TaxBreakdown,
    Totals,
    adjustment_sum,
)
from einvoices.xpaths import Reader


def parse_ubl(root: etree._Element) -> EInvoice:
    doc = Reader(root)
    credit = str(root.tag).endswith("}CreditNote")
    currency = doc.text("cbc:DocumentCurrencyCode")
    invoice = EInvoice(
        syntax="ubl",
        specification=doc.text("cbc:CustomizationID"),
        number=doc.text("cbc:ID"),
        type_code=doc.text("cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode"),
        issue_date=doc.date("cbc:IssueDate"),
        due_date=doc.date("cbc:DueDate") or doc.date("cac:PaymentMeans/cbc:PaymentDueDate"),
        delivery_date=doc.date("cac:Delivery/cbc:ActualDeliveryDate"),
        period_start=doc.date("cac:InvoicePeriod/cbc:StartDate"),
        period_end=doc.date("cac:InvoicePeriod/cbc:EndDate"),
        currency=currency,
        tax_currency=doc.text("cbc:TaxCurrencyCode"),
        buyer_reference=doc.text("cbc:BuyerReference"),
        order_reference=doc.text("cac:OrderReference/cbc:ID"),
        notes=[note for note in doc.texts("cbc:Note") if note],
        seller=_party(doc.one("cac:AccountingSupplierParty/cac:Party")),
        buyer=_party(doc.one("cac:AccountingCustomerParty/cac:Party")),
        lines=[_line(line) for line in doc.all("cac:InvoiceLine | cac:CreditNoteLine")],
        allowances_charges=[_allowance_charge(item) for item in doc.all("cac:AllowanceCharge")],
        payment=_payment(doc),
    )
    tax_totals = doc.all("cac:TaxTotal")
    main = next((t for t in tax_totals if t.attr("cbc:TaxAmount", "currencyID") == currency), None)
    main = main or (tax_totals[0] if tax_totals else None)
    other = next((t for t in tax_totals if t is not main), None)
    invoice.taxes = [_tax(sub) for sub in main.all("cac:TaxSubtotal")] if main else []
    invoice.totals = _totals(doc, main, other)
    return invoice


def _party(party: Reader | None) -> Party:
    if party is None:
        return Party()
    schemes = {
        scheme.text("cac:TaxScheme/cbc:ID").upper(): scheme.text("cbc:CompanyID")
        for scheme in party.all("cac:PartyTaxScheme")
    }
    return Party(
        name=party.text("cac:PartyLegalEntity/cbc:RegistrationName") or party.text("cac:PartyName/cbc:Name"),
        street=party.text("cac:PostalAddress/cbc:StreetName"),
        additional_street=party.text("cac:PostalAddress/cbc:AdditionalStreetName"),
        zip=party.text("cac:PostalAddress/cbc:PostalZone"),
        city=party.text("cac:PostalAddress/cbc:CityName"),
        country=party.text("cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
        vat_id=schemes.get("VAT", ""),
        tax_number=next((value for key, value in schemes.items() if key != "VAT"), ""),
        legal_id=party.text("cac:PartyLegalEntity/cbc:CompanyID"),
        email=party.text("cac:Contact/cbc:ElectronicMail"),
        contact=party.text("cac:Contact/cbc:Name"),
    )


def _line(line: Reader) -> Line:
    quantity = "cbc:InvoicedQuantity | cbc:CreditedQuantity"
    adjustments = [_allowance_charge(item) for item in line.all("cac:AllowanceCharge")]
    return Line(
        id=line.text("cbc:ID"),
        name=line.text("cac:Item/cbc:Name"),
        description=line.text("cac:Item/cbc:Description"),
        quantity=line.decimal(quantity),
        unit=line.attr(quantity, "unitCode"),
        net_price=line.decimal("cac:Price/cbc:PriceAmount"),
        price_base_quantity=line.decimal("cac:Price/cbc:BaseQuantity"),
        net_amount=line.decimal("cbc:LineExtensionAmount"),
        tax_category=line.text("cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
        tax_rate=line.decimal("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
        allowances=adjustment_sum(adjustments, charge=False),
        charges=adjustment_sum(adjustments, charge=True),
    )


def _allowance_charge(item: Reader) -> AllowanceCharge:
    return AllowanceCharge(
        charge=item.text("cbc:ChargeIndicator").lower() == "true",
        amount=item.decimal("cbc:Amount"),
        base_amount=item.decimal("cbc:BaseAmount"),
        percent=item.decimal("cbc:MultiplierFactorNumeric"),
        reason=item.text("cbc:AllowanceChargeReason"),
        reason_code=item.text("cbc:AllowanceChargeReasonCode"),
        tax_category=item.text("cac:TaxCategory/cbc:ID"),
        tax_rate=item.decimal("cac:TaxCategory/cbc:Percent"),
    )


def _tax(sub: Reader) -> TaxBreakdown:
    return TaxBreakdown(
        category=sub.text("cac:TaxCategory/cbc:ID"),
        rate=sub.decimal("cac:TaxCategory/cbc:Percent"),
        taxable_amount=sub.decimal("cbc:TaxableAmount"),
        tax_amount=sub.decimal("cbc:TaxAmount"),
        exemption_reason=sub.text("cac:TaxCategory/cbc:TaxExemptionReason"),
        exemption_code=sub.text("cac:TaxCategory/cbc:TaxExemptionReasonCode"),
    )


def _totals(doc: Reader, main: Reader | None, other: Reader | None) -> Totals:
    money = "cac:LegalMonetaryTotal/cbc:"
    return Totals(
        line_net=doc.decimal(money + "LineExtensionAmount"),
        allowances=doc.decimal(money + "AllowanceTotalAmount"),
        charges=doc.decimal(money + "ChargeTotalAmount"),
        net=doc.decimal(money + "TaxExclusiveAmount"),
        tax=main.decimal("cbc:TaxAmount") if main else None,
        tax_in_accounting_currency=other.decimal("cbc:TaxAmount") if other else None,
        gross=doc.decimal(money + "TaxInclusiveAmount"),
        prepaid=doc.decimal(money + "PrepaidAmount"),
        rounding=doc.decimal(money + "PayableRoundingAmount"),
        due=doc.decimal(money + "PayableAmount"),
    )


def _payment(doc: Reader) -> Payment:
    means = doc.one("cac:PaymentMeans")
    terms = " ".join(note for note in doc.texts("cac:PaymentTerms/cbc:Note") if note)
    if means is None:
        return Payment(terms=terms)
    return Payment(
        means_code=means.text("cbc:PaymentMeansCode"),
        iban=means.text("cac:PayeeFinancialAccount/cbc:ID"),
        bic=means.text("cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
        account_name=means.text("cac:PayeeFinancialAccount/cbc:Name"),
        reference=means.text("cbc:PaymentID"),
        terms=terms,
    )
