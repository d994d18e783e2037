"""The error rows of the spec (§4.5, §8.3, §9.2, §14, §17) with their exact body shapes."""

import pytest
import requests

from sandbox import documents
from tests.sandbox.bodies import assert_regular
from tests.sandbox.receiver import Receiver
from tests.sandbox.test_vouchers import VOUCHER
from tests.writes import files

LEGACY_ISSUE = {"i18nKey", "source", "type", "additionalData", "args"}
COMPANY = {"version": 0, "roles": {"customer": {}}, "company": {"name": "Fehlerfrei GmbH"}}


def legacy_issues(response, status: int) -> list[dict]:
    body = response.json()
    assert response.status_code == status, response.text
    assert set(body) <= {"IssueList", "requestId"}
    assert all(set(issue) == LEGACY_ISSUE for issue in body["IssueList"])
    return body["IssueList"]


def test_gateway_bodies_for_402_and_403(sandbox) -> None:
    sandbox.configure(keyStatus="no_plan")
    no_plan = sandbox.api("GET", "/v1/profile")
    sandbox.configure(keyStatus="forbidden")
    forbidden = sandbox.api("GET", "/v1/profile")

    assert (no_plan.status_code, set(no_plan.json())) == (402, {"message"})
    assert (forbidden.status_code, set(forbidden.json())) == (403, {"message"})


def test_json_is_the_answer_without_an_accept_header(sandbox) -> None:
    response = requests.get(
        f"{sandbox.base_url}/v1/profile", timeout=5, headers={"Authorization": f"Bearer {sandbox.api_key}"}
    )
    assert (response.status_code, response.headers["Content-Type"]) == (200, "application/json")


def test_contact_filter_rows(sandbox) -> None:
    short = legacy_issues(sandbox.api("GET", "/v1/contacts", params={"email": "ab"}), 400)
    number = legacy_issues(sandbox.api("GET", "/v1/contacts", params={"number": "12a"}), 400)

    assert (short[0]["source"], short[0]["i18nKey"], short[0]["type"]) == (
        "size must be between 3 and 128",
        "bad_request_error",
        "bad_request_error",
    )
    assert (number[0]["source"], number[0]["i18nKey"]) == ("number", "invalid_value")


@pytest.mark.parametrize(
    ("change", "source", "key"),
    [
        (
            {"person": {"lastName": "Kraft", "salutation": "x" * 26}, "company": None},
            "person.salutation",
            "invalid_value",
        ),
        ({"person": {"firstName": "Ohne"}, "company": None}, "person.lastName", "missing_entity"),
        ({"note": "x" * 1001}, "note", "invalid_value"),
        ({"xRechnung": {"buyerReference": "04011000-1"}}, "xRechnung.vendorNumberAtCustomer", "missing_entity"),
        (
            {"emailAddresses": {"business": ["a@b.example", "c@d.example"]}},
            "emailAddresses.business.size",
            "invalid_value",
        ),
        (
            {"company": {"name": "Zwei", "contactPersons": [{"lastName": "A"}, {"lastName": "B"}]}},
            "company.contactPersons.size",
            "invalid_value",
        ),
        (
            {"company": {"name": "Ohne", "contactPersons": [{"firstName": "A"}]}},
            "company.contactPersons[0].lastName",
            "missing_entity",
        ),
    ],
)
def test_more_contact_rules(sandbox_empty, change, source, key) -> None:
    issues = legacy_issues(sandbox_empty.api("POST", "/v1/contacts", json={**COMPANY, **change}), 406)
    assert (source, key, "validation_failure") in {(i["source"], i["i18nKey"], i["type"]) for i in issues}


def test_contacts_with_several_entries_can_be_read_but_not_written(sandbox_empty) -> None:
    contact = sandbox_empty.mutate(
        "contact", "create", fields={"emailAddresses": {"business": ["a@b.example", "c@d.example"]}}
    )
    read = sandbox_empty.api("GET", f"/v1/contacts/{contact['id']}").json()

    issues = legacy_issues(sandbox_empty.api("PUT", f"/v1/contacts/{contact['id']}", json=read), 406)
    assert issues[0]["i18nKey"].startswith("contact_has_not_mappable")


def test_archived_is_read_only_and_stale_contacts_are_409_in_the_legacy_shape(sandbox_empty) -> None:
    created = sandbox_empty.api("POST", "/v1/contacts", json=COMPANY).json()
    path = f"/v1/contacts/{created['id']}"
    current = sandbox_empty.api("GET", path).json()

    assert sandbox_empty.api("PUT", path, json={**current, "archived": True}).status_code == 200
    assert sandbox_empty.api("GET", path).json()["archived"] is False
    stale = legacy_issues(sandbox_empty.api("PUT", path, json=current), 409)
    missing = legacy_issues(
        sandbox_empty.api("PUT", path, json={k: v for k, v in current.items() if k != "version"}), 409
    )
    assert stale[0]["source"] == missing[0]["source"] == "version"


def test_voucher_rows(sandbox_empty) -> None:
    unknown_contact = legacy_issues(
        sandbox_empty.api(
            "POST",
            "/v1/vouchers",
            json={**VOUCHER, "useCollectiveContact": False, "contactId": "00000000-0000-4000-8000-000000000000"},
        ),
        406,
    )
    bad_rate = legacy_issues(
        sandbox_empty.api(
            "POST",
            "/v1/vouchers",
            json={
                **VOUCHER,
                "voucherItems": [{**VOUCHER["voucherItems"][0], "taxRatePercent": 8}, VOUCHER["voucherItems"][1]],
            },
        ),
        406,
    )
    bad_category = legacy_issues(
        sandbox_empty.api(
            "POST",
            "/v1/vouchers",
            json={
                **VOUCHER,
                "voucherItems": [
                    {**VOUCHER["voucherItems"][0], "categoryId": "00000000-0000-4000-8000-000000000000"},
                    VOUCHER["voucherItems"][1],
                ],
            },
        ),
        406,
    )
    bad_date = legacy_issues(
        sandbox_empty.api("POST", "/v1/vouchers", json={**VOUCHER, "voucherDate": "01.03.2026"}), 406
    )

    assert ("contactId", "invalid_value") in {(i["source"], i["i18nKey"]) for i in unknown_contact}
    assert ("voucherItems[0].taxRatePercent", "invalid_value") in {(i["source"], i["i18nKey"]) for i in bad_rate}
    assert ("voucherItems[0].categoryId", "invalid_value") in {(i["source"], i["i18nKey"]) for i in bad_category}
    assert ("voucherDate", "invalid_value") in {(i["source"], i["i18nKey"]) for i in bad_date}


def test_voucher_status_moves_only_from_unchecked_to_open(sandbox_empty) -> None:
    unchecked = sandbox_empty.api("POST", "/v1/vouchers", json={**VOUCHER, "voucherStatus": "unchecked"}).json()
    body = {**VOUCHER, "voucherStatus": "open", "version": unchecked["version"]}
    assert sandbox_empty.api("PUT", f"/v1/vouchers/{unchecked['id']}", json=body).status_code == 200

    back = {**VOUCHER, "voucherStatus": "unchecked", "version": unchecked["version"] + 1}
    issues = legacy_issues(sandbox_empty.api("PUT", f"/v1/vouchers/{unchecked['id']}", json=back), 406)
    assert (issues[0]["source"], issues[0]["i18nKey"]) == ("voucherStatus", "invalid_value")


def test_routes_vouchers_and_files_do_not_have(sandbox) -> None:
    voucher_id = sandbox.api("POST", "/v1/vouchers", json=VOUCHER).json()["id"]
    for method, path in (
        ("DELETE", f"/v1/vouchers/{voucher_id}"),
        ("GET", f"/v1/vouchers/{voucher_id}/files"),
        ("GET", f"/v1/vouchers/{voucher_id}/document"),
        ("GET", f"/v1/vouchers/{voucher_id}/file"),
        ("GET", "/v1/files"),
        ("PUT", "/v1/event-subscriptions"),
    ):
        assert sandbox.api(method, path).status_code == 404, (method, path)
    assert sandbox.api("GET", "/v1/vouchers/00000000-0000-4000-8000-000000000000").json()["IssueList"]


def test_upload_type_text_and_the_e_invoice_checks(sandbox) -> None:
    no_type = sandbox.api("POST", "/v1/files", files={"file": ("a.pdf", files.pdf())})
    assert legacy_issues(no_type, 400)[0]["i18nKey"] == "Invalid or missing upload type."

    sandbox.configure(eInvoice=True)
    broken = sandbox.api(
        "POST", "/v1/files", files={"file": ("e.xml", b"<?xml version='1.0'?><x/>")}, data={"type": "voucher"}
    )
    entity = sandbox.api(
        "POST",
        "/v1/files",
        data={"type": "voucher"},
        files={"file": ("e.xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>")},
    )
    valid = sandbox.api(
        "POST", "/v1/files", files={"file": ("e.xml", documents.xrechnung("ER-7", 119.0))}, data={"type": "voucher"}
    )

    assert legacy_issues(broken, 406)[0]["i18nKey"] == "invalid_xrechnung"
    assert legacy_issues(entity, 406)[0]["i18nKey"] == "invalid_xrechnung"
    assert valid.status_code == 202
    file_id = valid.json()["id"]
    xml = sandbox.api("GET", f"/v1/files/{file_id}", headers={"Accept": "*/*"})
    pdf = sandbox.api("GET", f"/v1/files/{file_id}", headers={"Accept": "image/png"})
    assert (xml.headers["Content-Type"], xml.headers["Content-Disposition"]) == (
        "application/xml;charset=UTF-8",
        f"inline; filename={file_id}.xml;",
    )
    assert (pdf.headers["Content-Type"], pdf.content[:5]) == ("application/pdf", b"%PDF-")


def test_subscription_rows(sandbox) -> None:
    bad_type = sandbox.api(
        "POST",
        "/v1/event-subscriptions",
        json={"eventType": "contact.exploded", "callbackUrl": "https://example.org/h"},
    )
    no_url = sandbox.api("POST", "/v1/event-subscriptions", json={"eventType": "contact.created"})

    assert_regular(bad_type, 406, "/v1/event-subscriptions")
    body = assert_regular(no_url, 406, "/v1/event-subscriptions")
    assert body["details"] == [{"violation": "NOTNULL", "field": "callbackUrl", "message": "darf nicht leer sein"}]
    assert_regular(sandbox.api("GET", "/v1/event-subscriptions/nope"), 404, "/v1/event-subscriptions/nope")


def test_event_types_are_handled_in_lower_case(sandbox) -> None:
    receiver = Receiver()
    try:
        created = sandbox.api(
            "POST", "/v1/event-subscriptions", json={"eventType": "Contact.Changed", "callbackUrl": receiver.url("/ok")}
        )
        again = sandbox.api(
            "POST", "/v1/event-subscriptions", json={"eventType": "contact.changed", "callbackUrl": receiver.url("/ok")}
        )
        stored = sandbox.api("GET", f"/v1/event-subscriptions/{created.json()['id']}").json()
    finally:
        receiver.close()
    assert set(stored) == {"subscriptionId", "organizationId", "createdDate", "eventType", "callbackUrl"}
    assert stored["eventType"] == "contact.changed"
    assert_regular(again, 409, "/v1/event-subscriptions")
