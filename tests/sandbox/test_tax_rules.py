"""Rules that depend on the organization (§9.4, §11.5, §12.1): tax-exempt organizations create only `vatfree`
documents, distance sales follow the profile's `distanceSalesPrinciple`, and finalizing an XRechnung needs the
organization's own data complete."""

import pytest

from tests.sandbox.bodies import assert_regular, create, details, item, sales

DESTINATION = "4ebd965a-7126-416c-9d8c-a5c9366ee473"  # Fernverkauf in EU-Land steuerpflichtig
ORIGIN = "7c112b66-0565-479c-bc18-5845e080880a"  # Fernverkauf
VIENNA = {"name": "Frau Huber", "street": "Ring 1", "zip": "1010", "city": "Wien", "countryCode": "AT"}


def distance_sale(rate: float, address: dict | None = None) -> dict:
    return sales(
        "invoices",
        address=address or VIENNA,
        lineItems=[item(rate=rate)],
        taxConditions={"taxType": "net", "taxSubType": "distanceSales"},
    )


def voucher(category: str, rate: float) -> dict:
    tax = round(120 * rate / (100 + rate), 2)
    return {
        "type": "salesinvoice",
        "voucherNumber": "FV-1",
        "voucherDate": "2026-03-01",
        "taxType": "gross",
        "totalGrossAmount": 120.0,
        "totalTaxAmount": tax,
        "useCollectiveContact": True,
        "voucherItems": [{"amount": 120.0, "taxAmount": tax, "taxRatePercent": rate, "categoryId": category}],
    }


def issues(response) -> set[tuple[str, str]]:
    assert response.status_code == 406, response.text
    return {(i["source"], i["i18nKey"]) for i in response.json()["IssueList"]}


@pytest.mark.parametrize("setting", [{"taxType": "vatfree"}, {"smallBusiness": True}])
def test_a_tax_exempt_organization_creates_only_vatfree_documents(sandbox_empty, setting) -> None:
    sandbox_empty.configure(**setting)
    profile = sandbox_empty.api("GET", "/v1/profile").json()
    net = sandbox_empty.api("POST", "/v1/quotations", json=sales("quotations"))
    vatfree = sandbox_empty.api(
        "POST",
        "/v1/quotations",
        json=sales("quotations", taxConditions={"taxType": "vatfree"}, lineItems=[item(rate=0)]),
    )

    assert (profile["taxType"], profile["smallBusiness"]) == (
        setting.get("taxType", "net"),
        setting.get("smallBusiness", False),
    )
    assert ("taxConditions.taxType", "INVALID") in details(net)
    assert_regular(net, 406, "/v1/quotations")
    assert vatfree.status_code == 201, vatfree.text


def test_distance_sales_need_a_principle_in_the_profile(sandbox_empty) -> None:
    response = sandbox_empty.api("POST", "/v1/invoices", json=distance_sale(20))

    assert "distanceSalesPrinciple" not in sandbox_empty.api("GET", "/v1/profile").json()
    assert ("taxConditions.taxSubType", "INVALID") in details(response)
    assert_regular(response, 406, "/v1/invoices")


def test_destination_principle_takes_the_destination_countrys_rates(sandbox_empty) -> None:
    sandbox_empty.configure(distanceSalesPrinciple="DESTINATION")
    austrian = create(sandbox_empty, "invoices", distance_sale(20), finalize="true")
    german_rate = sandbox_empty.api("POST", "/v1/invoices", json=distance_sale(19))
    to_germany = sandbox_empty.api("POST", "/v1/invoices", json=distance_sale(19, {**VIENNA, "countryCode": "DE"}))
    to_switzerland = sandbox_empty.api("POST", "/v1/invoices", json=distance_sale(19, {**VIENNA, "countryCode": "CH"}))

    assert sandbox_empty.api("GET", "/v1/profile").json()["distanceSalesPrinciple"] == "DESTINATION"
    assert austrian["taxAmounts"] == [{"taxRatePercentage": 20.0, "taxAmount": 40.0, "netAmount": 200.0}]
    assert ("lineItems[0].unitPrice.taxRatePercentage", "INVALID") in details(german_rate)
    assert ("address.countryCode", "INVALID") in details(to_germany)
    assert ("address.countryCode", "INVALID") in details(to_switzerland)


def test_origin_principle_keeps_german_rates_and_distance_sales_are_b2c_only(sandbox_empty) -> None:
    sandbox_empty.configure(distanceSalesPrinciple="ORIGIN")
    business = sandbox_empty.api(
        "POST",
        "/v1/contacts",
        json={
            "version": 0,
            "roles": {"customer": {}},
            "company": {"name": "Wiener Handel GmbH", "vatRegistrationId": "DE123456789"},
            "addresses": {"billing": [{"street": "Ring 2", "zip": "1010", "city": "Wien", "countryCode": "AT"}]},
        },
    )
    assert business.status_code == 201, business.text

    german_rate = sandbox_empty.api("POST", "/v1/invoices", json=distance_sale(19))
    austrian_rate = sandbox_empty.api("POST", "/v1/invoices", json=distance_sale(20))
    to_a_business = sandbox_empty.api(
        "POST", "/v1/invoices", json=distance_sale(19, {"contactId": business.json()["id"]})
    )

    assert german_rate.status_code == 201, german_rate.text
    assert ("lineItems[0].unitPrice.taxRatePercentage", "INVALID") in details(austrian_rate)
    assert ("taxConditions.taxSubType", "INVALID") in details(to_a_business)


def test_distance_sales_categories_on_vouchers_follow_the_principle(sandbox_empty) -> None:
    without = sandbox_empty.api("POST", "/v1/vouchers", json=voucher(DESTINATION, 20))
    sandbox_empty.configure(distanceSalesPrinciple="DESTINATION")
    destination = sandbox_empty.api("POST", "/v1/vouchers", json=voucher(DESTINATION, 20))
    origin_category = sandbox_empty.api("POST", "/v1/vouchers", json=voucher(ORIGIN, 19))
    no_eu_rate = sandbox_empty.api("POST", "/v1/vouchers", json=voucher(DESTINATION, 1))
    ordinary_category = sandbox_empty.api(
        "POST", "/v1/vouchers", json=voucher("8f8664a8-fd86-11e1-a21f-0800200c9a66", 20)
    )

    assert ("voucherItems[0].categoryId", "invalid_value") in issues(without)
    assert destination.status_code == 201, destination.text
    assert ("voucherItems[0].categoryId", "invalid_value") in issues(origin_category)
    assert ("voucherItems[0].taxRatePercent", "invalid_value") in issues(no_eu_rate)
    assert ("voucherItems[0].taxRatePercent", "invalid_value") in issues(ordinary_category)


def test_countries_classify_member_states_as_intra_community(sandbox) -> None:
    classes = {c["countryCode"]: c["taxClassification"] for c in sandbox.api("GET", "/v1/countries").json()}
    assert (classes["DE"], classes["AT"], classes["FR"], classes["CH"], classes["ES_CN"]) == (
        "de",
        "intraCommunity",
        "intraCommunity",
        "thirdPartyCountry",
        "thirdPartyCountry",
    )


def test_an_xrechnung_is_finalized_only_with_complete_organization_data(sandbox_empty) -> None:
    authority = sandbox_empty.api(
        "POST",
        "/v1/contacts",
        json={
            "version": 0,
            "roles": {"customer": {}},
            "company": {"name": "Behörde"},
            "xRechnung": {"buyerReference": "04011000-12345-67", "vendorNumberAtCustomer": "K-1"},
            "addresses": {"billing": [{"street": "Amtsweg 1", "zip": "10115", "city": "Berlin", "countryCode": "DE"}]},
        },
    ).json()["id"]
    body = sales("invoices", address={"contactId": authority})
    sandbox_empty.configure(organizationData={"phone": None, "bankAccount": None})

    draft = create(sandbox_empty, "invoices", body)  # drafts are not checked
    refused = sandbox_empty.api("POST", "/v1/invoices", json=body, params={"finalize": "true"})
    plain = create(sandbox_empty, "invoices", finalize="true")  # nor are regular invoices
    sandbox_empty.configure(
        organizationData={
            "phone": "030 1",
            "bankAccount": {"iban": "DE02120300000000202051"},
            "taxNumber": None,
            "vatRegistrationId": None,
        }
    )
    no_tax_id = sandbox_empty.api("POST", "/v1/invoices", json=body, params={"finalize": "true"})
    sandbox_empty.configure(organizationData={"vatRegistrationId": "DE123456789"})
    final = create(sandbox_empty, "invoices", body, finalize="true")

    assert (draft["electronicDocumentProfile"], draft["voucherStatus"]) == ("XRechnung", "draft")
    assert "organization data" in assert_regular(refused, 406, "/v1/invoices")["message"]
    assert details(refused) == {("organization.phone", "NOTNULL"), ("organization.bankAccount", "NOTNULL")}
    assert details(no_tax_id) == {("organization.taxNumber", "NOTNULL")}
    assert (final["electronicDocumentProfile"], final["voucherStatus"]) == ("XRechnung", "open")
    # a refused finalization takes no number
    assert [draft["voucherNumber"], plain["voucherNumber"], final["voucherNumber"]] == ["RE0001", "RE0002", "RE0003"]


def test_voucher_categories_must_match_revenue_or_expense(sandbox_empty) -> None:
    sales_with_expense = sandbox_empty.api(
        "POST", "/v1/vouchers", json=voucher("16d04a28-9d3d-4a83-a0f4-5ef6b1b3c2a1", 19)
    )  # Wareneingang (outgo) on a salesinvoice
    purchase_with_income = sandbox_empty.api(
        "POST", "/v1/vouchers", json={**voucher("8f8664a8-fd86-11e1-a21f-0800200c9a66", 19), "type": "purchaseinvoice"}
    )

    assert ("voucherItems[0].categoryId", "invalid_value") in issues(sales_with_expense)
    assert ("voucherItems[0].categoryId", "invalid_value") in issues(purchase_with_income)


def test_one_kleinunternehmer_category_id_is_known_at_a_time(sandbox_empty) -> None:
    old, new = "7a1efa0e-6283-4cbf-9583-8e88d3ba5960", "f5c7fee8-f184-4e7a-ab04-8f7e7ad6c207"

    def listed() -> set[str]:
        return {c["id"] for c in sandbox_empty.api("GET", "/v1/posting-categories").json()}

    by_default = (
        listed(),
        sandbox_empty.api("POST", "/v1/vouchers", json=voucher(old, 0)),
        sandbox_empty.api("POST", "/v1/vouchers", json=voucher(new, 0)),
    )
    sandbox_empty.configure(smallBusinessCategoryIds=[old])
    switched = (
        listed(),
        sandbox_empty.api("POST", "/v1/vouchers", json=voucher(old, 0)),
        sandbox_empty.api("POST", "/v1/vouchers", json=voucher(new, 0)),
    )

    assert (new in by_default[0], old in by_default[0]) == (True, False)
    assert ("voucherItems[0].categoryId", "invalid_value") in issues(by_default[1])
    assert by_default[2].status_code == 201, by_default[2].text
    assert (old in switched[0], new in switched[0]) == (True, False)
    assert switched[1].status_code == 201, switched[1].text
    assert ("voucherItems[0].categoryId", "invalid_value") in issues(switched[2])
