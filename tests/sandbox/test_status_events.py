"""Status changes that come with other actions: a pursued quotation becomes `accepted`, and an invoice or
credit note that goes back from open to draft sends `payment.changed` (§17.1)."""

import json
import time

import pytest

from tests.sandbox.bodies import create, sales
from tests.sandbox.receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def subscribe(org, receiver: Receiver, *events: str) -> None:
    for event in events:
        response = org.api(
            "POST", "/v1/event-subscriptions", json={"eventType": event, "callbackUrl": receiver.url(f"/ok/{event}")}
        )
        assert response.status_code == 201, response.text


def received(receiver: Receiver, count: int, timeout: float = 10) -> set[tuple[str, str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(receiver.posts) < count:
        time.sleep(0.05)
    return {(json.loads(body)["eventType"], json.loads(body)["resourceId"]) for _path, body in receiver.posts}


def test_a_pursued_quotation_becomes_accepted_and_says_so(sandbox_empty, receiver) -> None:
    subscribe(sandbox_empty, receiver, "quotation.changed", "quotation.status.changed")
    quotation = create(sandbox_empty, "quotations", finalize="true")
    response = sandbox_empty.api(
        "POST",
        "/v1/order-confirmations",
        json=sales("order-confirmations"),
        params={"precedingSalesVoucherId": quotation["id"]},
    )
    assert response.status_code == 201, response.text

    after = sandbox_empty.api("GET", f"/v1/quotations/{quotation['id']}").json()
    listed = sandbox_empty.api(
        "GET", "/v1/voucherlist", params={"voucherType": "quotation", "voucherStatus": "accepted"}
    ).json()["content"]
    assert (quotation["voucherStatus"], after["voucherStatus"]) == ("open", "accepted")
    assert [entry["id"] for entry in listed] == [quotation["id"]]
    assert received(receiver, 2) == {
        ("quotation.changed", quotation["id"]),
        ("quotation.status.changed", quotation["id"]),
    }
    # an accepted quotation can still be pursued (to an invoice), and stays accepted
    again = sandbox_empty.api(
        "POST", "/v1/invoices", json=sales("invoices"), params={"precedingSalesVoucherId": quotation["id"]}
    )
    assert again.status_code == 201, again.text
    assert sandbox_empty.api("GET", f"/v1/quotations/{quotation['id']}").json()["voucherStatus"] == "accepted"


def test_the_acceptance_on_pursue_can_be_switched_off(sandbox_empty) -> None:
    sandbox_empty.configure(quotationAcceptedOnPursue=False)
    quotation = create(sandbox_empty, "quotations", finalize="true")
    sandbox_empty.api(
        "POST", "/v1/invoices", json=sales("invoices"), params={"precedingSalesVoucherId": quotation["id"]}
    )

    assert sandbox_empty.api("GET", f"/v1/quotations/{quotation['id']}").json()["voucherStatus"] == "open"


def test_an_invoice_or_credit_note_back_to_draft_sends_payment_changed(sandbox_empty, receiver) -> None:
    subscribe(sandbox_empty, receiver, "payment.changed", "invoice.status.changed", "credit-note.status.changed")
    invoice = create(sandbox_empty, "invoices", finalize="true")
    credit_note = create(sandbox_empty, "credit-notes", finalize="true")
    quotation = create(sandbox_empty, "quotations", finalize="true")
    draft = create(sandbox_empty, "invoices")
    for resource, record in (("quotation", quotation), ("invoice", draft)):  # neither sends payment.changed
        sandbox_empty.mutate(resource, "status", record["id"], {"voucherStatus": "draft"})
    sandbox_empty.mutate("invoice", "status", invoice["id"], {"voucherStatus": "draft"})
    sandbox_empty.mutate("credit-note", "status", credit_note["id"], {"voucherStatus": "draft"})

    emitted = [(d["event"], d["resourceId"]) for d in sandbox_empty.deliveries()]  # logged when emitted
    assert sorted(emitted) == sorted(
        [
            ("invoice.status.changed", invoice["id"]),
            ("payment.changed", invoice["id"]),
            ("credit-note.status.changed", credit_note["id"]),
            ("payment.changed", credit_note["id"]),
        ]
    )
    assert received(receiver, 4) == set(emitted)
    payments = sandbox_empty.api("GET", f"/v1/payments/{invoice['id']}")
    assert payments.status_code == 406  # a draft has no payment information
