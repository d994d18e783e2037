"""Routes and statuses the spec leaves open, each configurable with the stricter reading by default:
legacy `/v1/ping` (§1.4), `GET /v1/files/{id}/status` (§14.1), 501 for HTTP operations the API never
supports and 405 instead of the observed 404 for a method a route lacks (§3)."""

import json
import time

import pytest
import requests

from tests.sandbox.receiver import Receiver
from tests.writes import files

NOT_FOUND = {"message": "Not Found"}


def test_ping_is_unknown_by_default_and_answers_the_users_email_when_enabled(sandbox) -> None:
    default = sandbox.api("GET", "/v1/ping")
    sandbox.configure(ping=True)
    enabled = sandbox.api("GET", "/v1/ping")
    anonymous = requests.get(f"{sandbox.base_url}/v1/ping", timeout=10)

    assert (default.status_code, default.json()) == (404, NOT_FOUND)
    assert (enabled.status_code, enabled.json()) == (200, {"userEmail": "sandbox@example.org"})
    assert (anonymous.status_code, anonymous.json()) == (401, {"message": "Unauthorized"})


def test_file_status_is_unknown_by_default_and_reports_the_uploads_voucher_when_enabled(sandbox) -> None:
    uploaded = sandbox.api(
        "POST", "/v1/files", files={"file": ("beleg.pdf", files.pdf("Status"))}, data={"type": "voucher"}
    ).json()
    default = sandbox.api("GET", f"/v1/files/{uploaded['id']}/status")
    sandbox.configure(fileStatus=True)
    enabled = sandbox.api("GET", f"/v1/files/{uploaded['id']}/status")
    unknown = sandbox.api("GET", "/v1/files/00000000-0000-4000-8000-000000000000/status")

    assert (default.status_code, default.json()) == (404, NOT_FOUND)
    assert (enabled.status_code, enabled.json()) == (
        200,
        {"id": uploaded["id"], "voucherId": uploaded["voucherId"], "voucherStatus": "unchecked"},
    )
    assert unknown.status_code == 404
    assert [(i["source"], i["i18nKey"], i["type"]) for i in unknown.json()["IssueList"]] == [
        ("id", "not_found", "technical_error")
    ]


def test_an_http_operation_the_api_never_supports_is_501(sandbox) -> None:
    contact = sandbox.api("GET", "/v1/contacts").json()["content"][0]
    for method, path in (
        ("PATCH", f"/v1/contacts/{contact['id']}"),
        ("OPTIONS", "/v1/profile"),
        ("PATCH", "/v1/no-such-route"),
    ):
        response = sandbox.api(method, path, json={})
        assert (response.status_code, response.json()) == (501, {"message": "Not Implemented"}), (method, path)
    assert sandbox.api("GET", f"/v1/contacts/{contact['id']}").json()["version"] == contact["version"]


def test_a_method_a_route_lacks_is_404_as_observed_or_405_as_documented(sandbox) -> None:
    contact = sandbox.api("GET", "/v1/contacts").json()["content"][0]
    path = f"/v1/contacts/{contact['id']}"
    observed = sandbox.api("DELETE", path)
    sandbox.configure(methodNotAllowedStatus=405)
    documented = sandbox.api("DELETE", path)

    assert (observed.status_code, observed.json()) == (404, NOT_FOUND)
    body = documented.json()
    assert (documented.status_code, body["status"], body["error"], body["path"]) == (
        405,
        405,
        "Method Not Allowed",
        path,
    )
    assert set(body) >= {"timestamp", "traceId", "message"}
    assert {m.strip() for m in documented.headers["Allow"].split(",")} >= {"GET", "PUT"}
    assert sandbox.api("GET", path).status_code == 200  # still there: contacts cannot be deleted


def test_a_repeated_filter_is_400_in_the_endpoints_error_format(sandbox) -> None:
    contacts = sandbox.api("GET", "/v1/contacts?name=GmbH&name=Bau")
    listed = sandbox.api("GET", "/v1/voucherlist?voucherType=invoice&voucherType=quotation&voucherStatus=any")
    unknown_twice = sandbox.api("GET", "/v1/voucherlist?voucherType=any&voucherStatus=any&foo=1&foo=2")

    assert contacts.status_code == 400
    assert [(i["source"], i["type"]) for i in contacts.json()["IssueList"]] == [("name", "bad_request_error")]
    body = listed.json()
    assert (listed.status_code, body["status"], body["path"]) == (400, 400, "/v1/voucherlist")
    assert "voucherType" in body["message"]
    assert unknown_twice.status_code == 200  # unknown parameters stay ignored


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def test_an_upload_is_blank_until_recognized_then_voucher_created_fires(sandbox, receiver) -> None:
    sandbox.configure(ocrDelayMs=1500, fileStatus=True)
    assert (
        sandbox.api(
            "POST", "/v1/event-subscriptions", json={"eventType": "voucher.created", "callbackUrl": receiver.url("/ok")}
        ).status_code
        == 201
    )
    uploaded = sandbox.api(
        "POST", "/v1/files", files={"file": ("ocr.pdf", files.pdf("OCR"))}, data={"type": "voucher"}
    ).json()
    path = f"/v1/vouchers/{uploaded['voucherId']}"
    first = sandbox.api("GET", path).json()
    duplicate = sandbox.api(
        "POST", "/v1/files", files={"file": ("again.pdf", files.pdf("OCR"))}, data={"type": "voucher"}
    ).json()

    assert (first["voucherStatus"], duplicate, sandbox.deliveries()) == ("blank", uploaded, [])
    assert sandbox.api("GET", f"/v1/files/{uploaded['id']}/status").json()["voucherStatus"] == "blank"
    deadline = time.monotonic() + 15
    while sandbox.api("GET", path).json()["voucherStatus"] == "blank" and time.monotonic() < deadline:
        time.sleep(0.05)
    after = sandbox.api("GET", path).json()
    assert (after["voucherStatus"], after["version"]) == ("unchecked", first["version"] + 1)
    while not receiver.posts and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [json.loads(body)["resourceId"] for _path, body in receiver.posts] == [uploaded["voucherId"]]


def test_voucher_list_date_filters_take_days_and_datetimes_only_when_configured(sandbox) -> None:
    params = {"voucherType": "any", "voucherStatus": "any", "voucherDateFrom": "2020-01-01T00:00:00.000+01:00"}
    strict = sandbox.api("GET", "/v1/voucherlist", params=params)
    sandbox.configure(dateFilterDatetimes=True)
    lenient = sandbox.api("GET", "/v1/voucherlist", params=params)
    day = sandbox.api("GET", "/v1/voucherlist", params={**params, "voucherDateFrom": "2020-01-01"})

    body = strict.json()
    assert (strict.status_code, body["path"]) == (400, "/v1/voucherlist")
    assert "voucherDateFrom" in body["message"]
    assert lenient.status_code == 200
    assert lenient.json()["totalElements"] == day.json()["totalElements"] > 0


def test_the_voucher_list_sorts_by_voucher_date_only_unless_more_are_configured(sandbox) -> None:
    def listed(sort: str):
        return sandbox.api(
            "GET", "/v1/voucherlist", params={"voucherType": "any", "voucherStatus": "any", "sort": sort, "size": 250}
        )

    by_date, by_number = listed("voucherDate,ASC"), listed("voucherNumber,DESC")
    sandbox.configure(voucherlistSortProperties=["voucherDate", "voucherNumber"])
    numbers = [e["voucherNumber"] for e in listed("voucherNumber,DESC").json()["content"]]

    dates = [e["voucherDate"] for e in by_date.json()["content"]]
    assert dates == sorted(dates)
    assert (by_number.status_code, by_number.json()["message"]) == (400, "parameter 'sort' is invalid")
    assert numbers == sorted(numbers, reverse=True) and len(numbers) > 1


def test_the_profiles_subscription_status_is_active_unless_configured(sandbox) -> None:
    before = sandbox.api("GET", "/v1/profile").json()["subscriptionStatus"]
    sandbox.configure(subscriptionStatus="cancelled")
    assert (before, sandbox.api("GET", "/v1/profile").json()["subscriptionStatus"]) == ("active", "cancelled")
