"""Pursue chains (`precedingSalesVoucherId`) and their 406 rules; dunnings; the webhooks creates send."""

import json
import time

import pytest

from tests.sandbox.bodies import assert_regular, create, item, sales
from tests.sandbox.receiver import Receiver


def pursue(org, kind: str, preceding: dict, body: dict | None = None, **params: str):
    return org.api(
        "POST", f"/v1/{kind}", json=body or sales(kind), params={"precedingSalesVoucherId": preceding["id"], **params}
    )


def test_quotation_to_order_confirmation_to_invoice_links_both_ways(sandbox_empty) -> None:
    quotation = create(sandbox_empty, "quotations", finalize="true")
    confirmation_id = pursue(sandbox_empty, "order-confirmations", quotation, finalize=None).json()["id"]
    confirmation = sandbox_empty.api("GET", f"/v1/order-confirmations/{confirmation_id}").json()
    assert confirmation["voucherStatus"] == "draft"
    assert confirmation["relatedVouchers"] == [
        {"id": quotation["id"], "voucherNumber": quotation["voucherNumber"], "voucherType": "quotation"}
    ]
    quotation_after = sandbox_empty.api("GET", f"/v1/quotations/{quotation['id']}").json()
    assert quotation_after["relatedVouchers"][0]["id"] == confirmation_id
    assert quotation_after["version"] == quotation["version"] + 1


def test_an_invoice_from_an_open_order_confirmation_may_be_finalized(sandbox_empty) -> None:
    confirmation = create(sandbox_empty, "order-confirmations", finalize="true")
    response = pursue(sandbox_empty, "invoices", confirmation, finalize="true")

    invoice = sandbox_empty.api("GET", f"/v1/invoices/{response.json()['id']}").json()
    assert (response.status_code, invoice["voucherStatus"]) == (201, "open")
    assert invoice["relatedVouchers"][0]["voucherType"] == "orderconfirmation"


@pytest.mark.parametrize(
    ("kind", "before", "before_params", "message"),
    [
        ("invoices", "order-confirmations", {}, "in status 'draft'"),
        ("invoices", "delivery-notes", {}, "in status 'draft'"),
        ("order-confirmations", "invoices", {"finalize": "true"}, "Pursuing a invoice to a orderconfirmation"),
        ("credit-notes", "invoices", {}, "in status 'draft'"),
        ("credit-notes", "quotations", {"finalize": "true"}, "Pursuing a quotation to a creditnote"),
        ("quotations", "invoices", {"finalize": "true"}, "cannot be created from a preceding sales voucher"),
    ],
)
def test_illegal_chains_are_406(sandbox_empty, kind, before, before_params, message) -> None:
    preceding = create(sandbox_empty, before, **before_params)
    response = pursue(sandbox_empty, kind, preceding)

    assert message in assert_regular(response, 406, f"/v1/{kind}")["message"]


def test_a_quotation_with_optional_items_cannot_become_an_invoice(sandbox_empty) -> None:
    quotation = create(
        sandbox_empty, "quotations", sales("quotations", lineItems=[item(), item(optional=True)]), finalize="true"
    )
    response = pursue(sandbox_empty, "invoices", quotation)
    assert "optional or alternative" in assert_regular(response, 406, "/v1/invoices")["message"]


def test_unknown_predecessor_and_pursue_with_finalize_where_undocumented(sandbox_empty) -> None:
    unknown = pursue(sandbox_empty, "invoices", {"id": "00000000-0000-4000-8000-000000000000"})
    quotation = create(sandbox_empty, "quotations", finalize="true")
    finalized = pursue(sandbox_empty, "order-confirmations", quotation, finalize="true")

    assert "does not exist" in assert_regular(unknown, 406, "/v1/invoices")["message"]
    assert_regular(finalized, 406, "/v1/order-confirmations")


def test_a_finalized_credit_note_settles_its_invoice_once(sandbox_empty) -> None:
    invoice = create(sandbox_empty, "invoices", finalize="true")
    assert sandbox_empty.api("GET", f"/v1/payments/{invoice['id']}").json()["openAmount"] == 238.0
    response = pursue(
        sandbox_empty, "credit-notes", invoice, sales("credit-notes", lineItems=[item(net=80)]), finalize="true"
    )
    credit_note = sandbox_empty.api("GET", f"/v1/credit-notes/{response.json()['id']}").json()
    again = pursue(sandbox_empty, "credit-notes", invoice)

    assert credit_note["voucherStatus"] == "paidoff"
    payments = sandbox_empty.api("GET", f"/v1/payments/{invoice['id']}").json()
    assert (payments["openAmount"], payments["paymentStatus"]) == (0.0, "balanced")
    assert sandbox_empty.api("GET", f"/v1/invoices/{invoice['id']}").json()["voucherStatus"] == "paid"
    assert "already has a credit note" in assert_regular(again, 406, "/v1/credit-notes")["message"]
    linked = sandbox_empty.api("GET", f"/v1/payments/{credit_note['id']}")
    assert (
        assert_regular(linked, 406, f"/v1/payments/{credit_note['id']}")["message"]
        == "No payment information for this voucher/voucher type"
    )


def test_a_partial_credit_note_lowers_the_open_amount(sandbox_empty) -> None:
    invoice = create(sandbox_empty, "invoices", finalize="true")  # 238.00 gross
    pursue(
        sandbox_empty,
        "credit-notes",
        invoice,
        sales("credit-notes", lineItems=[item(quantity=1, net=100)]),
        finalize="true",
    )

    payments = sandbox_empty.api("GET", f"/v1/payments/{invoice['id']}").json()
    assert (payments["openAmount"], payments["paymentStatus"], payments["voucherStatus"]) == (
        119.0,
        "openRevenue",
        "open",
    )
    assert [(i["paymentItemType"], i["amount"]) for i in payments["paymentItems"]] == [("partPaymentCreditNote", 119.0)]


def test_a_closing_invoice_cannot_be_pursued(sandbox_server) -> None:
    org = sandbox_server.new_org(contacts=5, invoices=13, seed=3)
    entries = org.api(
        "GET", "/v1/voucherlist", params={"voucherType": "invoice", "voucherStatus": "any", "size": 250}
    ).json()["content"]
    closing = [
        d for d in (org.api("GET", f"/v1/invoices/{e['id']}").json() for e in entries) if d.get("closingInvoice")
    ]
    assert closing, "seed 3 with 13 invoices has a closing invoice"
    response = pursue(org, "credit-notes", closing[0])
    assert assert_regular(response, 406, "/v1/credit-notes")["message"] == "Closing invoices cannot be pursued"


def test_dunnings_need_an_open_invoice_and_stay_drafts(sandbox_empty) -> None:
    invoice = create(sandbox_empty, "invoices", finalize="true")
    draft_invoice = create(sandbox_empty, "invoices")

    missing = sandbox_empty.api("POST", "/v1/dunnings", json=sales("dunnings"))
    finalized = pursue(sandbox_empty, "dunnings", invoice, finalize="true")
    of_draft = pursue(sandbox_empty, "dunnings", draft_invoice)
    other_tax = pursue(
        sandbox_empty,
        "dunnings",
        invoice,
        sales(
            "dunnings",
            taxConditions={"taxType": "gross"},
            lineItems=[{**item(), "unitPrice": {"currency": "EUR", "grossAmount": 5, "taxRatePercentage": 19}}],
        ),
    )
    created = pursue(
        sandbox_empty, "dunnings", invoice, sales("dunnings", address={"name": "Anders", "countryCode": "DE"})
    )

    assert "precedingSalesVoucherId" in assert_regular(missing, 400, "/v1/dunnings")["message"]
    assert_regular(finalized, 406, "/v1/dunnings")
    assert_regular(of_draft, 406, "/v1/dunnings")
    assert "tax conditions" in assert_regular(other_tax, 406, "/v1/dunnings")["message"]
    dunning = sandbox_empty.api("GET", f"/v1/dunnings/{created.json()['id']}").json()
    assert (dunning["voucherStatus"], dunning.get("voucherNumber"), dunning.get("dueDate")) == ("draft", None, None)
    assert dunning["address"]["name"] == "Café Morgenrot"  # the invoice's recipient name
    listed = sandbox_empty.api("GET", "/v1/voucherlist", params={"voucherType": "any", "voucherStatus": "any"})
    assert dunning["id"] not in {e["id"] for e in listed.json()["content"]}


def test_a_dunning_must_name_the_invoices_contact(sandbox_empty) -> None:
    contact = sandbox_empty.api(
        "POST", "/v1/contacts", json={"version": 0, "roles": {"customer": {}}, "company": {"name": "Mahnbar GmbH"}}
    ).json()["id"]
    invoice = create(sandbox_empty, "invoices", sales("invoices", address={"contactId": contact}), finalize="true")

    response = pursue(sandbox_empty, "dunnings", invoice)
    assert "contact" in assert_regular(response, 406, "/v1/dunnings")["message"]
    assert (
        pursue(sandbox_empty, "dunnings", invoice, sales("dunnings", address={"contactId": contact})).status_code == 201
    )


def test_xrechnung_follows_the_contact_and_the_override(sandbox_empty) -> None:
    def customer(**extra: object) -> str:
        return sandbox_empty.api(
            "POST",
            "/v1/contacts",
            json={
                "version": 0,
                "roles": {"customer": {}},
                "company": {"name": "Behörde"},
                "addresses": {
                    "billing": [{"street": "Amtsweg 1", "zip": "10115", "city": "Berlin", "countryCode": "DE"}]
                },
                **extra,
            },
        ).json()["id"]

    public = customer(xRechnung={"buyerReference": "04011000-12345-67", "vendorNumberAtCustomer": "K-1"})
    plain = customer()
    e_invoice = create(sandbox_empty, "invoices", sales("invoices", address={"contactId": public}), finalize="true")
    forced_plain = create(
        sandbox_empty, "invoices", sales("invoices", address={"contactId": public}, xRechnung={"buyerReference": ""})
    )
    refused = sandbox_empty.api(
        "POST",
        "/v1/invoices",
        json=sales("invoices", address={"contactId": plain}, xRechnung={"buyerReference": "991-1"}),
    )
    gross = sandbox_empty.api(
        "POST",
        "/v1/invoices",
        json=sales(
            "invoices",
            address={"contactId": public},
            taxConditions={"taxType": "gross"},
            lineItems=[{**item(), "unitPrice": {"currency": "EUR", "grossAmount": 10, "taxRatePercentage": 19}}],
        ),
    )

    assert (e_invoice["electronicDocumentProfile"], e_invoice["xRechnung"]) == (
        "XRechnung",
        {"buyerReference": "04011000-12345-67"},
    )
    assert forced_plain["electronicDocumentProfile"] == "NONE"
    assert_regular(refused, 406, "/v1/invoices")
    assert_regular(gross, 406, "/v1/invoices")
    xml = sandbox_empty.api("GET", f"/v1/invoices/{e_invoice['id']}/file", headers={"Accept": "*/*"})
    pdf = sandbox_empty.api("GET", f"/v1/invoices/{e_invoice['id']}/file", headers={"Accept": "application/pdf"})
    assert (xml.headers["Content-Type"], pdf.headers["Content-Type"]) == (
        "application/xml;charset=UTF-8",
        "application/pdf",
    )


def test_creates_send_webhooks_for_the_new_and_the_linked_document(sandbox_empty) -> None:
    receiver = Receiver()
    try:
        for event in (
            "invoice.created",
            "quotation.created",
            "quotation.changed",
            "credit-note.created",
            "invoice.changed",
            "invoice.status.changed",
            "payment.changed",
        ):
            assert (
                sandbox_empty.api(
                    "POST",
                    "/v1/event-subscriptions",
                    json={"eventType": event, "callbackUrl": receiver.url(f"/ok/{event}")},
                ).status_code
                == 201
            )
        quotation = create(sandbox_empty, "quotations", finalize="true")
        invoice_id = pursue(sandbox_empty, "invoices", quotation, finalize="true").json()["id"]
        invoice = {"id": invoice_id}
        note_id = pursue(
            sandbox_empty, "credit-notes", invoice, sales("credit-notes", lineItems=[item(net=80)]), finalize="true"
        ).json()["id"]
        expected = {
            ("quotation.created", quotation["id"]),
            ("invoice.created", invoice_id),
            ("quotation.changed", quotation["id"]),
            ("credit-note.created", note_id),
            ("invoice.changed", invoice_id),
            ("invoice.status.changed", invoice_id),
            ("payment.changed", invoice_id),
        }
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(receiver.posts) < len(expected):
            time.sleep(0.05)
        got = {(json.loads(body)["eventType"], json.loads(body)["resourceId"]) for _path, body in receiver.posts}
        assert got == expected
    finally:
        receiver.close()
