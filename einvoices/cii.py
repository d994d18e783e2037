"""UN/CEFACT Cross Industry Invoice (XRechnung CII, ZUGFeRD 2.x / Factur-X, all profiles) as an EInvoice."""

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

TRANSACTION = "rsm:SupplyChainTradeTransaction/"
AGREEMENT = TRANSACTION + "ram:ApplicableHeaderTradeAgreement/"
SETTLEMENT = TRANSACTION + "ram:ApplicableHeaderTradeSettlement/"
DATE = "/udt:DateTimeString"


def parse_cii(root: etree._Element) -> EInvoice:
    doc = Reader(root)
    currency = doc.text(SETTLEMENT + "ram:InvoiceCurrencyCode")
    return EInvoice(
        syntax="cii",
        specification=doc.text("rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
        number=doc.text("rsm:ExchangedDocument/ram:ID"),
        type_code=doc.text("rsm:ExchangedDocument/ram:TypeCode"),
        issue_date=doc.date("rsm:ExchangedDocument/ram:IssueDateTime" + DATE),
        due_date=doc.date(SETTLEMENT + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime" + DATE),
        delivery_date=doc.date(
            TRANSACTION
            + "ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime"
            + DATE
        ),
        period_start=doc.date(SETTLEMENT + "ram:BillingSpecifiedPeriod/ram:StartDateTime" + DATE),
        period_end=doc.date(SETTLEMENT + "ram:BillingSpecifiedPeriod/ram:EndDateTime" + DATE),
        currency=currency,
        tax_currency=doc.text(SETTLEMENT + "ram:TaxCurrencyCode"),
        buyer_reference=doc.text(AGREEMENT + "ram:BuyerReference"),
        order_reference=doc.text(AGREEMENT + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        notes=[note for note in doc.texts("rsm:ExchangedDocument/ram:IncludedNote/ram:Content") if note],
        seller=_party(doc.one(AGREEMENT + "ram:SellerTradeParty")),
        buyer=_party(doc.one(AGREEMENT + "ram:BuyerTradeParty")),
        lines=[_line(line) for line in doc.all(TRANSACTION + "ram:IncludedSupplyChainTradeLineItem")],
        allowances_charges=[
            _allowance_charge(item) for item in doc.all(SETTLEMENT + "ram:SpecifiedTradeAllowanceCharge")
        ],
        taxes=[_tax(tax) for tax in doc.all(SETTLEMENT + "ram:ApplicableTradeTax")],
        totals=_totals(doc, currency),
        payment=_payment(doc),
    )


def _party(party: Reader | None) -> Party:
    if party is None:
        return Party()
    registrations = {
        reg.attr("ram:ID", "schemeID").upper(): reg.text("ram:ID") for reg in party.all("ram:SpecifiedTaxRegistration")
    }
    address = "ram:PostalTradeAddress/ram:"
    return Party(
        name=party.text("ram:Name"),
        street=party.text(address + "LineOne"),
        additional_street=party.text(address + "LineTwo"),
        zip=party.text(address + "PostcodeCode"),
        city=party.text(address + "CityName"),
        country=party.text(address + "CountryID"),
        vat_id=registrations.get("VA", ""),
        tax_number=registrations.get("FC", ""),
        legal_id=party.text("ram:SpecifiedLegalOrganization/ram:ID"),
        email=party.text("ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID")
        or party.text("ram:URIUniversalCommunication/ram:URIID"),
        contact=party.text("ram:DefinedTradeContact/ram:PersonName"),
    )


def _line(line: Reader) -> Line:
    settlement = "ram:SpecifiedLineTradeSettlement/"
    price = "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/"
    adjustments = [_allowance_charge(item) for item in line.all(settlement + "ram:SpecifiedTradeAllowanceCharge")]
    return Line(
        id=line.text("ram:AssociatedDocumentLineDocument/ram:LineID"),
        name=line.text("ram:SpecifiedTradeProduct/ram:Name"),
        description=line.text("ram:SpecifiedTradeProduct/ram:Description"),
        quantity=line.decimal("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
        unit=line.attr("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", "unitCode"),
        net_price=line.decimal(price + "ram:ChargeAmount"),
        price_base_quantity=line.decimal(price + "ram:BasisQuantity"),
        net_amount=line.decimal(settlement + "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"),
        tax_category=line.text(settlement + "ram:ApplicableTradeTax/ram:CategoryCode"),
        tax_rate=line.decimal(settlement + "ram:ApplicableTradeTax/ram:RateApplicablePercent"),
        allowances=adjustment_sum(adjustments, charge=False),
        charges=adjustment_sum(adjustments, charge=True),
    )


def _allowance_charge(item: Reader) -> AllowanceCharge:
    return AllowanceCharge(
        charge=item.text("ram:ChargeIndicator/udt:Indicator").lower() == "true",
        amount=item.decimal("ram:ActualAmount"),
        base_amount=item.decimal("ram:BasisAmount"),
        percent=item.decimal("ram:CalculationPercent"),
        reason=item.text("ram:Reason"),
        reason_code=item.text("ram:ReasonCode"),
        tax_category=item.text("ram:CategoryTradeTax/ram:CategoryCode"),
        tax_rate=item.decimal("ram:CategoryTradeTax/ram:RateApplicablePercent"),
    )


def _tax(tax: Reader) -> TaxBreakdown:
    return TaxBreakdown(
        category=tax.text("ram:CategoryCode"),
        rate=tax.decimal("ram:RateApplicablePercent"),
        taxable_amount=tax.decimal("ram:BasisAmount"),
        tax_amount=tax.decimal("ram:CalculatedAmount"),
        exemption_reason=tax.text("ram:ExemptionReason"),
        exemption_code=tax.text("ram:ExemptionReasonCode"),
    )


def _totals(doc: Reader, currency: str) -> Totals:
    money = SETTLEMENT + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    tax_amounts = doc.all(money + "TaxTotalAmount")
    main = next((t for t in tax_amounts if t.attr(".", "currencyID") in ("", currency)), None)
    other = next((t for t in tax_amounts if t is not main), None)
    return Totals(
        line_net=doc.decimal(money + "LineTotalAmount"),
        allowances=doc.decimal(money + "AllowanceTotalAmount"),
        charges=doc.decimal(money + "ChargeTotalAmount"),
        net=doc.decimal(money + "TaxBasisTotalAmount"),
        tax=main.decimal(".") if main else None,
        tax_in_accounting_currency=other.decimal(".") if other else None,
        gross=doc.decimal(money + "GrandTotalAmount"),
        prepaid=doc.decimal(money + "TotalPrepaidAmount"),
        rounding=doc.decimal(money + "RoundingAmount"),
        due=doc.decimal(money + "DuePayableAmount"),
    )


def _payment(doc: Reader) -> Payment:
    means = doc.one(SETTLEMENT + "ram:SpecifiedTradeSettlementPaymentMeans")
    terms = doc.text(SETTLEMENT + "ram:SpecifiedTradePaymentTerms/ram:Description")
    reference = doc.text(SETTLEMENT + "ram:PaymentReference")
    if means is None:
        return Payment(terms=terms, reference=reference)
    return Payment(
        means_code=means.text("ram:TypeCode"),
        iban=means.text("ram:PayeePartyCreditorFinancialAccount/ram:IBANID"),
        bic=means.text("ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
        account_name=means.text("ram:PayeePartyCreditorFinancialAccount/ram:AccountName"),
        reference=reference,
        terms=terms,
    )
