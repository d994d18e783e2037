"""Creating sales documents (§11, §12): shapes, numbers, totals, required fields, strict datetimes, line items."""

import pytest

from tests.sandbox.bodies import DAY, assert_regular, create, details, item, sales

KINDS = ["invoices", "credit-notes", "quotations", "order-confirmations", "delivery-notes"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_draft_is_created_with_an_action_result_and_a_number(sandbox_empty, kind) -> None:
    response = sandbox_empty.api("POST", f"/v1/{kind}", json=sales(kind))
    document = sandbox_empty.api("GET", f"/v1/{kind}/{response.json()['id']}").json()

    assert response.status_code == 201
    assert set(response.json()) == {"id", "resourceUri", "createdDate", "updatedDate", "version"}
    assert response.headers["Location"] == response.json()["resourceUri"]
    assert response.json()["resourceUri"].endswith(f"/v1/{kind}/{response.json()['id']}")
    assert (document["voucherStatus"], document["version"], document["relatedVouchers"]) == ("draft", 1, [])
    assert document["voucherNumber"]
    assert "files" not in document


@pytest.mark.parametrize("kind", KINDS)
def test_finalize_true_creates_an_open_document(sandbox_empty, kind) -> None:
    document = create(sandbox_empty, kind, finalize="true")
    assert document["voucherStatus"] == "open"


def test_numbers_count_up_per_type_and_drafts_are_numbered(sandbox_empty) -> None:
    first, second = create(sandbox_empty, "invoices"), create(sandbox_empty, "invoices", finalize="true")
    quotation = create(sandbox_empty, "quotations")

    assert (first["voucherNumber"], second["voucherNumber"], quotation["voucherNumber"]) == (
        "RE0001",
        "RE0002",
        "AG0001",
    )


def test_the_server_computes_line_amounts_totals_and_tax_amounts(sandbox_empty) -> None:
    body = sales(
        "invoices",
        lineItems=[
            item(quantity=2.5, net=80.0, rate=19),
            item("Buch", quantity=1, net=10.0, rate=7, discountPercentage=10),
            {"type": "text", "name": "Hinweis"},
        ],
        taxAmounts=[{"taxRatePercentage": 19, "taxAmount": 1, "netAmount": 1}],
    )
    invoice = create(sandbox_empty, "invoices", body)

    assert [i.get("lineItemAmount") for i in invoice["lineItems"]] == [200.0, 9.0, None]
    assert invoice["lineItems"][0]["unitPrice"]["grossAmount"] == 95.2
    assert invoice["totalPrice"] == {
        "currency": "EUR",
        "totalNetAmount": 209.0,
        "totalTaxAmount": 38.63,
        "totalGrossAmount": 247.63,
    }
    assert invoice["taxAmounts"] == [
        {"taxRatePercentage": 7, "taxAmount": 0.63, "netAmount": 9.0},
        {"taxRatePercentage": 19, "taxAmount": 38.0, "netAmount": 200.0},
    ]
    assert invoice["dueDate"] == "2026-03-16T00:00:00.000+01:00"  # voucher date + the default 14 days


def test_gross_documents_take_gross_unit_prices(sandbox_empty) -> None:
    body = sales(
        "invoices",
        taxConditions={"taxType": "gross"},
        lineItems=[
            {
                "type": "custom",
                "name": "Schloss",
                "quantity": 2,
                "unitName": "Stück",
                "unitPrice": {"currency": "EUR", "grossAmount": 119.0, "taxRatePercentage": 19},
            }
        ],
    )
    invoice = create(sandbox_empty, "invoices", body)

    assert invoice["lineItems"][0]["lineItemAmount"] == 238.0
    assert invoice["totalPrice"]["totalGrossAmount"] == 238.0
    assert invoice["lineItems"][0]["unitPrice"]["netAmount"] == 100.0


def test_a_referenced_contact_supplies_name_and_address(sandbox_empty) -> None:
    contact = sandbox_empty.api(
        "POST",
        "/v1/contacts",
        json={
            "version": 0,
            "roles": {"customer": {}},
            "company": {
                "name": "Nordlicht GmbH",
                "contactPersons": [{"salutation": "Herr", "firstName": "Jonas", "lastName": "Kraft", "primary": True}],
            },
            "addresses": {
                "billing": [{"street": "Hafenweg 3", "zip": "20457", "city": "Hamburg", "countryCode": "DE"}],
                "shipping": [{"street": "Lagerweg 1", "zip": "20459", "city": "Hamburg", "countryCode": "DE"}],
            },
        },
    ).json()["id"]
    invoice = create(sandbox_empty, "invoices", sales("invoices", address={"contactId": contact}))
    note = create(sandbox_empty, "delivery-notes", sales("delivery-notes", address={"contactId": contact}))

    assert invoice["address"] == {
        "contactId": contact,
        "name": "Nordlicht GmbH",
        "street": "Hafenweg 3",
        "zip": "20457",
        "city": "Hamburg",
        "countryCode": "DE",
        "contactPerson": "Herr Jonas Kraft",
    }
    assert note["address"]["street"] == "Lagerweg 1"  # delivery notes prefer the shipping address
    assert "totalPrice" not in note and "taxAmounts" not in note
    listed = sandbox_empty.api("GET", "/v1/voucherlist", params={"voucherType": "invoice", "voucherStatus": "any"})
    assert [(e["contactId"], e["contactName"]) for e in listed.json()["content"]] == [(contact, "Nordlicht GmbH")]


def test_a_vendor_only_or_unknown_contact_is_refused(sandbox_empty) -> None:
    vendor = sandbox_empty.api(
        "POST", "/v1/contacts", json={"version": 0, "roles": {"vendor": {}}, "company": {"name": "Lieferant AG"}}
    ).json()["id"]
    for contact_id in (vendor, "00000000-0000-4000-8000-000000000000"):
        response = sandbox_empty.api("POST", "/v1/invoices", json=sales("invoices", address={"contactId": contact_id}))
        assert_regular(response, 406, "/v1/invoices")
        assert ("address.contactId", "INVALID") in details(response)


MISSING = [
    ("invoices", "voucherDate", ("voucherDate", "NOTNULL")),
    ("invoices", "address", ("address", "NOTNULL")),
    ("invoices", "lineItems", ("lineItems", "NOTNULL")),
    ("invoices", "totalPrice", ("totalPrice", "NOTNULL")),
    ("invoices", "taxConditions", ("taxConditions", "NOTNULL")),
    ("order-confirmations", "shippingConditions", ("shippingConditions", "NOTNULL")),
    ("delivery-notes", "shippingConditions", ("shippingConditions", "NOTNULL")),
    ("quotations", "expirationDate", ("expirationDate", "NOTNULL")),
    ("credit-notes", "lineItems", ("lineItems", "NOTNULL")),
]


@pytest.mark.parametrize(("kind", "field", "expected"), MISSING)
def test_required_fields_per_type(sandbox_empty, kind, field, expected) -> None:
    body = sales(kind)
    body.pop(field)
    response = sandbox_empty.api("POST", f"/v1/{kind}", json=body)

    assert_regular(response, 406, f"/v1/{kind}")
    assert expected in details(response)


def test_an_invoice_without_shipping_conditions_gets_lexoffices_message(sandbox_empty) -> None:
    body = sales("invoices")
    body.pop("shippingConditions")
    response = sandbox_empty.api("POST", "/v1/invoices", json=body)

    assert assert_regular(response, 406, "/v1/invoices")["message"] == "The shipping conditions must not be null"


@pytest.mark.parametrize(
    "value",
    [
        "2026-08-21",
        "2026-08-21T00:00:00",
        "2026-08-21T00:00:00.000",
        "2026-08-21T00:00:00Z",
        "2026-08-21T00:00:00.00+01:00",
        "2026-08-21T00:00:00.000+0100",
        "2026-13-21T00:00:00.000+01:00",
    ],
)
def test_datetimes_outside_the_one_pattern_are_406(sandbox_empty, value) -> None:
    response = sandbox_empty.api("POST", "/v1/invoices", json=sales("invoices", voucherDate=value))

    assert_regular(response, 406, "/v1/invoices")
    assert ("voucherDate", "DATETIME") in details(response)


def test_a_utc_datetime_reads_back_in_berlin_time(sandbox_empty) -> None:
    invoice = create(sandbox_empty, "invoices", sales("invoices", voucherDate="2026-08-21T00:00:00.000Z"))
    assert invoice["voucherDate"] == "2026-08-21T02:00:00.000+02:00"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"lineItems": []}, ("lineItems", "NOTEMPTY")),
        ({"lineItems": [item()] * 301}, ("lineItems", "SIZE")),
        ({"lineItems": [{**item(), "type": "service"}]}, ("lineItems[0].id", "NOTNULL")),
        (
            {"lineItems": [{**item(), "type": "material", "id": "00000000-0000-4000-8000-000000000000"}]},
            ("lineItems[0].id", "INVALID"),
        ),
        ({"lineItems": [{**item(), "type": "bundle"}]}, ("lineItems[0].type", "INVALID")),
        ({"lineItems": [{**item(), "name": ""}]}, ("lineItems[0].name", "NOTBLANK")),
        ({"lineItems": [{**item(), "name": "x" * 256}]}, ("lineItems[0].name", "SIZE")),
        ({"lineItems": [{**item(), "description": "x" * 2001}]}, ("lineItems[0].description", "SIZE")),
        ({"lineItems": [{**item(), "quantity": None}]}, ("lineItems[0].quantity", "NOTNULL")),
        ({"lineItems": [{**item(), "quantity": 1.23456}]}, ("lineItems[0].quantity", "INVALID")),
        ({"lineItems": [{**item(), "unitName": ""}]}, ("lineItems[0].unitName", "NOTNULL")),
        ({"lineItems": [{**item(), "unitPrice": None}]}, ("lineItems[0].unitPrice", "NOTNULL")),
        ({"lineItems": [item(rate=16)]}, ("lineItems[0].unitPrice.taxRatePercentage", "INVALID")),
        (
            {"lineItems": [{**item(), "unitPrice": {"currency": "USD", "netAmount": 1, "taxRatePercentage": 19}}]},
            ("lineItems[0].unitPrice.currency", "INVALID"),
        ),
        ({"lineItems": [{**item(), "discountPercentage": 120}]}, ("lineItems[0].discountPercentage", "INVALID")),
        ({"lineItems": [{**item(), "optional": True}]}, ("lineItems[0].optional", "INVALID")),
        ({"title": "x" * 26}, ("title", "SIZE")),
        ({"introduction": "x" * 2001}, ("introduction", "SIZE")),
        ({"remark": "x" * 2001}, ("remark", "SIZE")),
        ({"deliveryTerms": "frei Haus"}, ("deliveryTerms", "INVALID")),
        ({"language": "fr"}, ("language", "INVALID")),
        ({"totalPrice": {"currency": "USD"}}, ("totalPrice.currency", "INVALID")),
        ({"taxConditions": {"taxType": "exempt"}}, ("taxConditions.taxType", "INVALID")),
        ({"taxConditions": {"taxType": "intraCommunitySupply"}}, ("address.contactId", "INVALID")),
        (
            {"taxConditions": {"taxType": "vatfree", "taxSubType": "distanceSales"}},
            ("taxConditions.taxSubType", "INVALID"),
        ),
        ({"address": {"name": "Nur Name"}}, ("address.countryCode", "NOTNULL")),
        ({"address": {"countryCode": "DE"}}, ("address.name", "NOTNULL")),
        ({"address": {"name": "X", "countryCode": "XX"}}, ("address.countryCode", "INVALID")),
        (
            {"shippingConditions": {"shippingType": "serviceperiod", "shippingDate": DAY}},
            ("shippingConditions.shippingEndDate", "NOTNULL"),
        ),
        (
            {
                "shippingConditions": {
                    "shippingType": "deliveryperiod",
                    "shippingDate": "2026-03-31T00:00:00.000+02:00",
                    "shippingEndDate": DAY,
                }
            },
            ("shippingConditions.shippingEndDate", "INVALID"),
        ),
        ({"shippingConditions": {"shippingType": "delivery"}}, ("shippingConditions.shippingDate", "NOTNULL")),
        ({"shippingConditions": {"shippingType": "teleport"}}, ("shippingConditions.shippingType", "INVALID")),
        ({"printLayoutId": "00000000-0000-4000-8000-000000000000"}, ("printLayoutId", "INVALID")),
        ({"paymentConditions": {"paymentTermDuration": -1}}, ("paymentConditions.paymentTermDuration", "INVALID")),
    ],
)
def test_invoice_rules(sandbox_empty, change, expected) -> None:
    response = sandbox_empty.api("POST", "/v1/invoices", json=sales("invoices", **change))

    body = assert_regular(response, 406, "/v1/invoices")
    assert expected in details(response)
    assert all(set(d) == {"violation", "field", "message"} for d in body["details"])


def test_reduced_vat_rates_follow_the_relevant_date(sandbox_empty) -> None:
    in_2020 = {"shippingType": "delivery", "shippingDate": "2020-09-01T00:00:00.000+02:00"}
    accepted = sandbox_empty.api(
        "POST", "/v1/invoices", json=sales("invoices", shippingConditions=in_2020, lineItems=[item(rate=16)])
    )
    refused = sandbox_empty.api(
        "POST", "/v1/invoices", json=sales("invoices", shippingConditions=in_2020, lineItems=[item(rate=19)])
    )

    assert accepted.status_code == 201
    assert refused.status_code == 406


@pytest.mark.parametrize(
    ("kind", "change", "expected"),
    [
        ("credit-notes", {"lineItems": [item(discountPercentage=5)]}, ("lineItems[0].discountPercentage", "INVALID")),
        ("credit-notes", {"paymentConditions": {"paymentTermDuration": 10}}, ("paymentConditions", "INVALID")),
        ("credit-notes", {"shippingConditions": {"shippingType": "none"}}, ("shippingConditions", "INVALID")),
        ("quotations", {"shippingConditions": {"shippingType": "none"}}, ("shippingConditions", "INVALID")),
        ("quotations", {"lineItems": [item(alternative=True)]}, ("lineItems[0].alternative", "INVALID")),
        ("quotations", {"lineItems": [item(subItems=[item()])]}, ("lineItems[0].subItems[0].alternative", "INVALID")),
        ("delivery-notes", {"paymentConditions": {"paymentTermDuration": 10}}, ("paymentConditions", "INVALID")),
        ("order-confirmations", {"deliveryTerms": "x" * 256}, ("deliveryTerms", "SIZE")),
    ],
)
def test_per_type_differences(sandbox_empty, kind, change, expected) -> None:
    response = sandbox_empty.api("POST", f"/v1/{kind}", json=sales(kind, **change))

    assert_regular(response, 406, f"/v1/{kind}")
    assert expected in details(response)


def test_per_type_extras_are_accepted(sandbox_empty) -> None:
    quotation = create(
        sandbox_empty,
        "quotations",
        sales("quotations", lineItems=[item(optional=True), item(subItems=[item("Premium", alternative=True)])]),
    )
    confirmation = create(
        sandbox_empty, "order-confirmations", sales("order-confirmations", deliveryTerms="Lieferung frei Haus")
    )
    note = create(
        sandbox_empty,
        "delivery-notes",
        sales("delivery-notes", lineItems=[{"type": "custom", "name": "Kabel", "quantity": 3, "unitName": "Stück"}]),
    )

    assert quotation["lineItems"][1]["subItems"][0]["alternative"] is True
    assert quotation["expirationDate"] == "2026-03-31T00:00:00.000+02:00"
    assert confirmation["deliveryTerms"] == "Lieferung frei Haus"
    assert note["lineItems"][0]["name"] == "Kabel"


def test_article_items_need_an_existing_article(sandbox_empty) -> None:
    article = sandbox_empty.api(
        "POST",
        "/v1/articles",
        json={
            "title": "Wartung",
            "type": "SERVICE",
            "unitName": "Stunde",
            "price": {"netPrice": 80, "leadingPrice": "NET", "taxRate": 19},
        },
    ).json()["id"]
    invoice = create(
        sandbox_empty, "invoices", sales("invoices", lineItems=[{**item(), "type": "service", "id": article}])
    )
    assert invoice["lineItems"][0]["id"] == article


def test_routes_lexoffice_does_not_have(sandbox) -> None:
    invoice = create(sandbox, "invoices")
    assert sandbox.api("GET", "/v1/invoices").status_code == 404  # no collection GET: use the voucher list
    assert sandbox.api("PUT", f"/v1/invoices/{invoice['id']}", json=invoice).status_code == 404
    assert sandbox.api("DELETE", f"/v1/invoices/{invoice['id']}").status_code == 404
    assert sandbox.api("POST", "/v1/down-payment-invoices", json=sales("invoices")).status_code == 404
    assert sandbox.api("GET", f"/v1/quotations/{invoice['id']}").status_code == 404


def test_bad_bodies_and_flags(sandbox_empty) -> None:
    text = sandbox_empty.api("POST", "/v1/invoices", data="{}", headers={"Content-Type": "text/plain"})
    flag = sandbox_empty.api("POST", "/v1/invoices", json=sales("invoices"), params={"finalize": "yes"})
    broken = sandbox_empty.api("POST", "/v1/invoices", data="{", headers={"Content-Type": "application/json"})

    assert_regular(text, 415, "/v1/invoices")
    assert "Invalid value 'yes'" in assert_regular(flag, 400, "/v1/invoices")["message"]
    assert_regular(broken, 400, "/v1/invoices")
    listed = sandbox_empty.api("GET", "/v1/voucherlist", params={"voucherType": "any", "voucherStatus": "any"})
    assert listed.json()["totalElements"] == 0  # nothing refused was stored


def test_drafts_cannot_be_rendered_or_downloaded_and_finals_can(sandbox_empty) -> None:
    draft = create(sandbox_empty, "invoices")
    final = create(sandbox_empty, "quotations", finalize="true")
    path = f"/v1/invoices/{draft['id']}"

    document = sandbox_empty.api("GET", f"{path}/document")
    download = sandbox_empty.api("GET", f"{path}/file", headers={"Accept": "*/*"})
    assert (
        assert_regular(document, 406, f"{path}/document")["message"]
        == "Requesting PDF document is not possible in state draft"
    )
    assert "draft" in assert_regular(download, 409, f"{path}/file")["message"]
    pdf = sandbox_empty.api("GET", f"/v1/quotations/{final['id']}/file", headers={"Accept": "application/pdf"})
    assert (pdf.status_code, pdf.content[:5], pdf.headers["Content-Disposition"]) == (
        200,
        b"%PDF-",
        f"attachment; filename=Angebot_{final['voucherNumber']}.pdf;",
    )
    assert (
        sandbox_empty.api(
            "GET", f"/v1/quotations/{final['id']}/file", headers={"Accept": "application/xml"}
        ).status_code
        == 404
    )
    file_id = sandbox_empty.api("GET", f"/v1/quotations/{final['id']}/document").json()["documentFileId"]
    assert sandbox_empty.api("GET", f"/v1/quotations/{final['id']}").json()["files"] == {"documentFileId": file_id}
    assert sandbox_empty.api("GET", f"/v1/files/{file_id}", headers={"Accept": "*/*"}).content[:5] == b"%PDF-"


@pytest.mark.parametrize("discount", [{"totalDiscountPercentage": 10}, {"totalDiscountAbsolute": 20}])
def test_a_total_discount_lowers_net_and_tax(sandbox_empty, discount) -> None:
    invoice = create(sandbox_empty, "invoices", sales("invoices", totalPrice={"currency": "EUR", **discount}))

    assert {k: invoice["totalPrice"][k] for k in ("totalNetAmount", "totalTaxAmount", "totalGrossAmount")} == {
        "totalNetAmount": 180.0,
        "totalTaxAmount": 34.2,
        "totalGrossAmount": 214.2,
    }
    assert invoice["totalPrice"] == {
        "currency": "EUR",
        **discount,
        "totalNetAmount": 180.0,
        "totalTaxAmount": 34.2,
        "totalGrossAmount": 214.2,
    }
