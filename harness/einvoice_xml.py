# ruff: noqa: E501  (XML templates: one element per line reads better than wrapped fragments)
"""The XML of a generated e-invoice: UBL 2.1 (invoice, credit note) and CII (XRechnung, Factur-X/ZUGFeRD levels)."""

from decimal import Decimal
from xml.sax.saxutils import escape

from harness.einvoices import EXEMPTIONS, GUIDELINES, PEPPOL, AdjustmentSpec, LineSpec, Sample


def _e(text: str) -> str:
    return escape(text)


def _d(value: Decimal) -> str:
    return f"{value:.2f}"


def _q(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def ubl(sample: Sample) -> bytes:
    root = "CreditNote" if sample.credit else "Invoice"
    ns = f"urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
    cur = sample.currency
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<ubl:{root} xmlns:ubl="{ns}" '
        'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
        'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">',
        f"<cbc:CustomizationID>{GUIDELINES[sample.profile]}</cbc:CustomizationID>",
        f"<cbc:ProfileID>{PEPPOL}</cbc:ProfileID>",
        f"<cbc:ID>{_e(sample.number)}</cbc:ID>",
        f"<cbc:IssueDate>{sample.issue}</cbc:IssueDate>",
        "" if sample.credit else f"<cbc:DueDate>{sample.due}</cbc:DueDate>",
        f"<cbc:{root}TypeCode>{sample.type_code}</cbc:{root}TypeCode>",
        *(f"<cbc:Note>{_e(note)}</cbc:Note>" for note in sample.notes),
        f"<cbc:DocumentCurrencyCode>{cur}</cbc:DocumentCurrencyCode>",
        f"<cbc:TaxCurrencyCode>{sample.tax_currency}</cbc:TaxCurrencyCode>" if sample.tax_currency else "",
        f"<cbc:BuyerReference>{_e(sample.buyer_reference)}</cbc:BuyerReference>" if sample.buyer_reference else "",
        _ubl_party(
            "AccountingSupplierParty",
            sample.seller_name,
            sample.seller_vat,
            sample.seller_country,
            "Hafenweg 3",
            "20457",
            "Hamburg",
            sample.seller_tax_number,
        ),
        _ubl_party(
            "AccountingCustomerParty",
            sample.buyer_name,
            sample.buyer_vat,
            sample.buyer_country,
            "Kaistraße 8",
            "24103",
            "Kiel",
            "",
        ),
        f"<cac:Delivery><cbc:ActualDeliveryDate>{sample.delivery}</cbc:ActualDeliveryDate></cac:Delivery>",
        "<cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>"
        + (f"<cbc:PaymentDueDate>{sample.due}</cbc:PaymentDueDate>" if sample.credit else "")
        + f"<cbc:PaymentID>{_e(sample.number)}</cbc:PaymentID>"
        f"<cac:PayeeFinancialAccount><cbc:ID>{sample.iban}</cbc:ID><cbc:Name>{_e(sample.seller_name)}</cbc:Name>"
        f"<cac:FinancialInstitutionBranch><cbc:ID>{sample.bic}</cbc:ID></cac:FinancialInstitutionBranch>"
        "</cac:PayeeFinancialAccount></cac:PaymentMeans>",
        "<cac:PaymentTerms><cbc:Note>Zahlbar innerhalb von 30 Tagen ohne Abzug.</cbc:Note></cac:PaymentTerms>",
        *(_ubl_adjustment(item, cur) for item in sample.adjustments),
        f'<cac:TaxTotal><cbc:TaxAmount currencyID="{cur}">{_d(sample.tax)}</cbc:TaxAmount>',
        *(_ubl_subtotal(cat, rate, base, tax, cur) for cat, rate, base, tax in sample.breakdown()),
        "</cac:TaxTotal>",
        (
            f'<cac:TaxTotal><cbc:TaxAmount currencyID="{sample.tax_currency}">{_d(sample.tax_in_tax_currency)}'
            "</cbc:TaxAmount></cac:TaxTotal>"
        )
        if sample.tax_currency
        else "",
        "<cac:LegalMonetaryTotal>",
        f'<cbc:LineExtensionAmount currencyID="{cur}">{_d(sample.line_net)}</cbc:LineExtensionAmount>',
        f'<cbc:TaxExclusiveAmount currencyID="{cur}">{_d(sample.net)}</cbc:TaxExclusiveAmount>',
        f'<cbc:TaxInclusiveAmount currencyID="{cur}">{_d(sample.gross)}</cbc:TaxInclusiveAmount>',
        f'<cbc:AllowanceTotalAmount currencyID="{cur}">{_d(sample.allowances)}</cbc:AllowanceTotalAmount>'
        if sample.allowances
        else "",
        f'<cbc:ChargeTotalAmount currencyID="{cur}">{_d(sample.charges)}</cbc:ChargeTotalAmount>'
        if sample.charges
        else "",
        f'<cbc:PrepaidAmount currencyID="{cur}">{_d(sample.prepaid)}</cbc:PrepaidAmount>' if sample.prepaid else "",
        f'<cbc:PayableAmount currencyID="{cur}">{_d(sample.due_amount)}</cbc:PayableAmount>',
        "</cac:LegalMonetaryTotal>",
        *(_ubl_line(index, line, cur, root) for index, line in enumerate(sample.lines, start=1)),
        f"</ubl:{root}>\n",
    ]
    return "".join(parts).encode()


def _ubl_party(role: str, name: str, vat: str, country: str, street: str, zip_: str, city: str, tax_number: str) -> str:
    schemes = ""
    if vat:
        schemes += f"<cac:PartyTaxScheme><cbc:CompanyID>{vat}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
    if tax_number:
        schemes += f"<cac:PartyTaxScheme><cbc:CompanyID>{tax_number}</cbc:CompanyID><cac:TaxScheme><cbc:ID>FC</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
    return (
        f'<cac:{role}><cac:Party><cbc:EndpointID schemeID="EM">rechnung@example.com</cbc:EndpointID>'
        f"<cac:PostalAddress><cbc:StreetName>{_e(street)}</cbc:StreetName><cbc:CityName>{_e(city)}</cbc:CityName>"
        f"<cbc:PostalZone>{zip_}</cbc:PostalZone><cac:Country><cbc:IdentificationCode>{country}</cbc:IdentificationCode>"
        f"</cac:Country></cac:PostalAddress>{schemes}"
        f"<cac:PartyLegalEntity><cbc:RegistrationName>{_e(name)}</cbc:RegistrationName></cac:PartyLegalEntity>"
        "<cac:Contact><cbc:Name>Buchhaltung</cbc:Name><cbc:ElectronicMail>rechnung@example.com</cbc:ElectronicMail></cac:Contact>"
        f"</cac:Party></cac:{role}>"
    )


def _ubl_category(category: str, rate: Decimal) -> str:
    exemption = ""
    if category in EXEMPTIONS:
        code, reason = EXEMPTIONS[category]
        exemption = f"<cbc:TaxExemptionReasonCode>{code}</cbc:TaxExemptionReasonCode><cbc:TaxExemptionReason>{_e(reason)}</cbc:TaxExemptionReason>"
    return f"<cbc:ID>{category}</cbc:ID><cbc:Percent>{_q(rate)}</cbc:Percent>{exemption}<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>"


def _ubl_adjustment(item: AdjustmentSpec, cur: str) -> str:
    return (
        f"<cac:AllowanceCharge><cbc:ChargeIndicator>{'true' if item.charge else 'false'}</cbc:ChargeIndicator>"
        f"<cbc:AllowanceChargeReason>{_e(item.reason)}</cbc:AllowanceChargeReason>"
        f'<cbc:Amount currencyID="{cur}">{_d(item.amount)}</cbc:Amount>'
        f"<cac:TaxCategory>{_ubl_category(item.category, item.rate)}</cac:TaxCategory>"
        "</cac:AllowanceCharge>"
    )


def _ubl_subtotal(category: str, rate: Decimal, base: Decimal, tax: Decimal, cur: str) -> str:
    return (
        f'<cac:TaxSubtotal><cbc:TaxableAmount currencyID="{cur}">{_d(base)}</cbc:TaxableAmount>'
        f'<cbc:TaxAmount currencyID="{cur}">{_d(tax)}</cbc:TaxAmount>'
        f"<cac:TaxCategory>{_ubl_category(category, rate)}</cac:TaxCategory></cac:TaxSubtotal>"
    )


def _ubl_line(index: int, line: LineSpec, cur: str, root: str) -> str:
    quantity = "CreditedQuantity" if root == "CreditNote" else "InvoicedQuantity"
    return (
        f"<cac:{root}Line><cbc:ID>{index}</cbc:ID>"
        f'<cbc:{quantity} unitCode="{line.unit}">{_q(line.quantity)}</cbc:{quantity}>'
        f'<cbc:LineExtensionAmount currencyID="{cur}">{_d(line.net)}</cbc:LineExtensionAmount>'
        f"<cac:Item><cbc:Name>{_e(line.name)}</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>{line.category}</cbc:ID>"
        f"<cbc:Percent>{_q(line.rate)}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>"
        f"</cac:ClassifiedTaxCategory></cac:Item>"
        f'<cac:Price><cbc:PriceAmount currencyID="{cur}">{line.price:f}</cbc:PriceAmount></cac:Price>'
        f"</cac:{root}Line>"
    )


def _date102(iso: str) -> str:
    return f'<udt:DateTimeString format="102">{iso.replace("-", "")}</udt:DateTimeString>'


def cii(sample: Sample) -> bytes:
    profile = sample.profile
    rich = profile in ("en16931", "extended", "xrechnung")
    minimum = profile == "minimum"
    with_lines = profile not in ("minimum", "basicwl")
    cur = sample.currency
    context = (
        f"<ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>{PEPPOL}</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter>"
        if profile == "xrechnung"
        else ""
    )
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" '
        'xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100" '
        'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" '
        'xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">',
        f"<rsm:ExchangedDocumentContext>{context}<ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>"
        f"{GUIDELINES[profile]}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>",
        f"<rsm:ExchangedDocument><ram:ID>{_e(sample.number)}</ram:ID><ram:TypeCode>{sample.type_code}</ram:TypeCode>"
        f"<ram:IssueDateTime>{_date102(sample.issue)}</ram:IssueDateTime>",
        ""
        if minimum
        else "".join(f"<ram:IncludedNote><ram:Content>{_e(n)}</ram:Content></ram:IncludedNote>" for n in sample.notes),
        "</rsm:ExchangedDocument><rsm:SupplyChainTradeTransaction>",
        *((_cii_line(i, line, cur, rich) for i, line in enumerate(sample.lines, start=1)) if with_lines else ()),
        "<ram:ApplicableHeaderTradeAgreement>",
        f"<ram:BuyerReference>{_e(sample.buyer_reference)}</ram:BuyerReference>" if sample.buyer_reference else "",
        _cii_party(
            "SellerTradeParty",
            sample.seller_name,
            sample.seller_vat,
            sample.seller_tax_number,
            sample.seller_country,
            "Hafenweg 3",
            "20457",
            "Hamburg",
            profile,
        ),
        _cii_party(
            "BuyerTradeParty",
            sample.buyer_name,
            sample.buyer_vat,
            "",
            sample.buyer_country,
            "Kaistraße 8",
            "24103",
            "Kiel",
            profile,
        ),
        "</ram:ApplicableHeaderTradeAgreement><ram:ApplicableHeaderTradeDelivery>",
        ""
        if minimum
        else f"<ram:ActualDeliverySupplyChainEvent><ram:OccurrenceDateTime>{_date102(sample.delivery)}</ram:OccurrenceDateTime></ram:ActualDeliverySupplyChainEvent>",
        "</ram:ApplicableHeaderTradeDelivery><ram:ApplicableHeaderTradeSettlement>",
        "" if minimum else f"<ram:PaymentReference>{_e(sample.number)}</ram:PaymentReference>",
        f"<ram:TaxCurrencyCode>{sample.tax_currency}</ram:TaxCurrencyCode>" if sample.tax_currency and rich else "",
        f"<ram:InvoiceCurrencyCode>{cur}</ram:InvoiceCurrencyCode>",
        "" if minimum else _cii_means(sample, rich),
        *(() if minimum else (_cii_tax(cat, rate, base, tax) for cat, rate, base, tax in sample.breakdown())),
        *(() if minimum else (_cii_adjustment(item) for item in sample.adjustments)),
        ""
        if minimum
        else "<ram:SpecifiedTradePaymentTerms><ram:Description>Zahlbar innerhalb von 30 Tagen ohne Abzug."
        f"</ram:Description><ram:DueDateDateTime>{_date102(sample.due)}</ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>",
        "<ram:SpecifiedTradeSettlementHeaderMonetarySummation>",
        "" if minimum else f"<ram:LineTotalAmount>{_d(sample.line_net)}</ram:LineTotalAmount>",
        f"<ram:ChargeTotalAmount>{_d(sample.charges)}</ram:ChargeTotalAmount>"
        if sample.charges and not minimum
        else "",
        f"<ram:AllowanceTotalAmount>{_d(sample.allowances)}</ram:AllowanceTotalAmount>"
        if sample.allowances and not minimum
        else "",
        f"<ram:TaxBasisTotalAmount>{_d(sample.net)}</ram:TaxBasisTotalAmount>",
        f'<ram:TaxTotalAmount currencyID="{cur}">{_d(sample.tax)}</ram:TaxTotalAmount>',
        f'<ram:TaxTotalAmount currencyID="{sample.tax_currency}">{_d(sample.tax_in_tax_currency)}</ram:TaxTotalAmount>'
        if sample.tax_currency and rich
        else "",
        f"<ram:GrandTotalAmount>{_d(sample.gross)}</ram:GrandTotalAmount>",
        f"<ram:TotalPrepaidAmount>{_d(sample.prepaid)}</ram:TotalPrepaidAmount>"
        if sample.prepaid and not minimum
        else "",
        f"<ram:DuePayableAmount>{_d(sample.due_amount)}</ram:DuePayableAmount>",
        "</ram:SpecifiedTradeSettlementHeaderMonetarySummation>",
        "</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>\n",
    ]
    return "".join(parts).encode()


def _cii_party(
    role: str, name: str, vat: str, tax_number: str, country: str, street: str, zip_: str, city: str, profile: str
) -> str:
    rich = profile in ("en16931", "extended", "xrechnung")
    minimum = profile == "minimum"
    contact = (
        "<ram:DefinedTradeContact><ram:PersonName>Buchhaltung</ram:PersonName><ram:TelephoneUniversalCommunication>"
        "<ram:CompleteNumber>040 123456</ram:CompleteNumber></ram:TelephoneUniversalCommunication>"
        "<ram:EmailURIUniversalCommunication><ram:URIID>rechnung@example.com</ram:URIID></ram:EmailURIUniversalCommunication>"
        "</ram:DefinedTradeContact>"
        if rich and role == "SellerTradeParty"
        else ""
    )
    if minimum:
        address = (
            f"<ram:PostalTradeAddress><ram:CountryID>{country}</ram:CountryID></ram:PostalTradeAddress>"
            if role == "SellerTradeParty"
            else ""
        )
    else:
        address = (
            f"<ram:PostalTradeAddress><ram:PostcodeCode>{zip_}</ram:PostcodeCode><ram:LineOne>{_e(street)}</ram:LineOne>"
            f"<ram:CityName>{_e(city)}</ram:CityName><ram:CountryID>{country}</ram:CountryID></ram:PostalTradeAddress>"
        )
    uri = (
        '<ram:URIUniversalCommunication><ram:URIID schemeID="EM">rechnung@example.com</ram:URIID></ram:URIUniversalCommunication>'
        if not minimum
        else ""
    )
    registrations = ""
    if role == "SellerTradeParty" or not minimum:
        if tax_number and not minimum:
            registrations += f'<ram:SpecifiedTaxRegistration><ram:ID schemeID="FC">{tax_number}</ram:ID></ram:SpecifiedTaxRegistration>'
        if vat:
            registrations += (
                f'<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{vat}</ram:ID></ram:SpecifiedTaxRegistration>'
            )
    return f"<ram:{role}><ram:Name>{_e(name)}</ram:Name>{contact}{address}{uri}{registrations}</ram:{role}>"


def _cii_category(category: str, rate: Decimal) -> str:
    return f"<ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>{category}</ram:CategoryCode><ram:RateApplicablePercent>{_q(rate)}</ram:RateApplicablePercent>"


def _cii_line(index: int, line: LineSpec, cur: str, rich: bool) -> str:
    return (
        f"<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument><ram:LineID>{index}</ram:LineID>"
        f"</ram:AssociatedDocumentLineDocument><ram:SpecifiedTradeProduct><ram:Name>{_e(line.name)}</ram:Name>"
        "</ram:SpecifiedTradeProduct><ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice>"
        f"<ram:ChargeAmount>{line.price:f}</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>"
        f'<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="{line.unit}">{_q(line.quantity)}</ram:BilledQuantity>'
        f"</ram:SpecifiedLineTradeDelivery><ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax>"
        f"{_cii_category(line.category, line.rate)}</ram:ApplicableTradeTax>"
        "<ram:SpecifiedTradeSettlementLineMonetarySummation>"
        f"<ram:LineTotalAmount>{_d(line.net)}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>"
        "</ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>"
    )


def _cii_means(sample: Sample, rich: bool) -> str:
    name = f"<ram:AccountName>{_e(sample.seller_name)}</ram:AccountName>" if rich else ""
    bic = (
        f"<ram:PayeeSpecifiedCreditorFinancialInstitution><ram:BICID>{sample.bic}</ram:BICID></ram:PayeeSpecifiedCreditorFinancialInstitution>"
        if rich
        else ""
    )
    return (
        "<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>58</ram:TypeCode><ram:PayeePartyCreditorFinancialAccount>"
        f"<ram:IBANID>{sample.iban}</ram:IBANID>{name}</ram:PayeePartyCreditorFinancialAccount>{bic}"
        "</ram:SpecifiedTradeSettlementPaymentMeans>"
    )


def _cii_tax(category: str, rate: Decimal, base: Decimal, tax: Decimal) -> str:
    reason = code = ""
    if category in EXEMPTIONS:
        code_value, reason_value = EXEMPTIONS[category]
        reason = f"<ram:ExemptionReason>{_e(reason_value)}</ram:ExemptionReason>"
        code = f"<ram:ExemptionReasonCode>{code_value}</ram:ExemptionReasonCode>"
    return (
        f"<ram:ApplicableTradeTax><ram:CalculatedAmount>{_d(tax)}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>"
        f"{reason}<ram:BasisAmount>{_d(base)}</ram:BasisAmount><ram:CategoryCode>{category}</ram:CategoryCode>{code}"
        f"<ram:RateApplicablePercent>{_q(rate)}</ram:RateApplicablePercent></ram:ApplicableTradeTax>"
    )


def _cii_adjustment(item: AdjustmentSpec) -> str:
    return (
        "<ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>"
        f"{'true' if item.charge else 'false'}</udt:Indicator></ram:ChargeIndicator>"
        f"<ram:ActualAmount>{_d(item.amount)}</ram:ActualAmount><ram:Reason>{_e(item.reason)}</ram:Reason>"
        f"<ram:CategoryTradeTax>{_cii_category(item.category, item.rate)}</ram:CategoryTradeTax>"
        "</ram:SpecifiedTradeAllowanceCharge>"
    )
