"""The client against the sandbox over HTTP: every method, every error status, the key kept secret."""

import contextlib
import io
import logging
from datetime import date

import pytest
import responses

from lexoffice.client import (
    AuthenticationError,
    Conflict,
    Lexoffice,
    MaybeExecuted,
    NotFound,
    PassthroughRejected,
    PermissionDenied,
    RateLimited,
    ServerError,
    TransportError,
    ValidationFailed,
)
from tests.writes import files


@pytest.fixture
def client(sandbox) -> Lexoffice:
    return Lexoffice(sandbox.api_key, sandbox.base_url, rate=0, max_retry_seconds=10)


def test_profile_and_master_data(client, sandbox) -> None:
    assert client.profile()["organizationId"] == sandbox.organization_id
    assert any(c["countryCode"] == "DE" for c in client.countries())
    assert {c["type"] for c in client.posting_categories()} == {"income", "outgo"}
    assert sum(1 for c in client.payment_conditions() if c["organizationDefault"]) == 1
    assert client.print_layouts()[0]["default"] is True


def test_contacts_are_listed_filtered_read_created_and_updated(client) -> None:
    everyone = list(client.iter_contacts())
    assert len(everyone) == 5
    one = everyone[0]
    name = (one.get("company") or {}).get("name") or one["person"]["lastName"]
    assert one["id"] in [c["id"] for c in client.contacts(name=name[:5])["content"]]
    assert client.contact(one["id"]) == one
    result = client.create_contact({"version": 0, "roles": {"vendor": {}}, "company": {"name": "Kraft & Söhne <KG>"}})
    created = client.contact(result["id"])
    assert created["roles"]["vendor"]["number"] > 0
    assert [c["id"] for c in client.contacts(name="Kraft & Söhne")["content"]] == [result["id"]]
    client.update_contact(result["id"], {**created, "note": "geändert"})
    assert client.contact(result["id"])["version"] == created["version"] + 1


def test_the_voucher_list_walks_every_entry(client, sandbox) -> None:
    entries = list(client.iter_voucherlist(voucher_type="any", voucher_status="any"))
    assert len(entries) == len({e["id"] for e in entries})
    page = client.voucherlist(size=250)
    assert len(entries) == page["totalElements"]
    recent = list(client.iter_voucherlist(updated_date_from=date(2099, 1, 1)))
    assert recent == []


def test_the_voucher_list_is_walked_in_date_windows_beyond_the_search_window(sandbox_server) -> None:
    org = sandbox_server.new_org(vouchers=10_400, seed=3)
    client = Lexoffice(org.api_key, org.base_url, rate=0)

    entries = list(client.iter_voucherlist())

    assert len({e["id"] for e in entries}) == 10_400
    windowed = [r for r in org.requests_log() if "voucherDateFrom" in r["query"]]
    assert windowed, "the walk split the list into date windows"
    assert all(r["status"] == 200 for r in org.requests_log())


def test_vouchers_files_and_documents(client, sandbox) -> None:
    entries = list(client.iter_voucherlist())
    bookkeeping = next(e for e in entries if e["voucherType"] == "purchaseinvoice")
    voucher = client.voucher(bookkeeping["id"])
    assert client.vouchers_by_number(voucher["voucherNumber"])[0]["id"] == voucher["id"]
    attached = client.upload_voucher_file(
        voucher["id"], filename="beleg.pdf", fileobj=io.BytesIO(files.pdf("x")), content_type="application/pdf"
    )
    assert attached["id"] in client.voucher(voucher["id"])["files"]
    with client.download_file(attached["id"]) as download:
        assert b"".join(download.iter_content()).startswith(b"%PDF")
        assert download.content_type == "application/pdf"
    uploaded = client.upload_file(filename="scan.png", fileobj=io.BytesIO(files.png(seed=42)), content_type="image/png")
    assert client.voucher(uploaded["voucherId"])["voucherStatus"] == "unchecked"
    invoice = next(e for e in entries if e["voucherType"] == "invoice" and e["voucherStatus"] != "draft")
    assert client.invoice(invoice["id"])["id"] == invoice["id"]
    assert client.render_document("invoices", invoice["id"])
    with client.download_document("invoices", invoice["id"], accept="application/pdf") as pdf:
        assert b"".join(pdf.iter_content()).startswith(b"%PDF")
    assert client.payments(invoice["id"])["currency"] == "EUR"


def test_voucher_create_and_update_keep_files(client, sandbox) -> None:
    result = client.create_voucher(
        {
            "type": "purchaseinvoice",
            "voucherNumber": "K-1",
            "voucherDate": "2026-03-01",
            "taxType": "gross",
            "totalGrossAmount": 119.0,
            "totalTaxAmount": 19.0,
            "useCollectiveContact": True,
            "voucherItems": [
                {
                    "amount": 119.0,
                    "taxAmount": 19.0,
                    "taxRatePercent": 19,
                    "categoryId": "16d04a28-9d3d-4a83-a0f4-5ef6b1b3c2a1",
                }
            ],
        }
    )
    voucher = client.voucher(result["id"])
    assert voucher["voucherDate"].startswith("2026-03-01T00:00:00.000+01:00")
    client.update_voucher(
        result["id"], {**voucher, "voucherDate": "2026-03-02", "dueDate": "2026-03-02", "remark": "geprüft"}
    )
    assert client.voucher(result["id"])["remark"] == "geprüft"


def test_event_subscriptions(client, sandbox, live_server, connection) -> None:
    url = f"{live_server.url}/webhooks/lexoffice/{connection.webhook_token}/"  # a known token: Lexoffice probes it
    created = client.create_event_subscription(event_type="contact.changed", callback_url=url)
    assert client.event_subscription(created["id"])["callbackUrl"] == url
    with pytest.raises(Conflict):
        client.create_event_subscription(event_type="contact.changed", callback_url=url)
    assert [s["subscriptionId"] for s in client.event_subscriptions()] == [created["id"]]
    client.delete_event_subscription(created["id"])
    assert client.event_subscriptions() == []


@pytest.mark.parametrize(
    ("key_status", "error"),
    [("revoked", AuthenticationError), ("no_plan", PermissionDenied), ("forbidden", PermissionDenied)],
)
def test_refused_keys_raise_typed_errors(client, sandbox, key_status, error) -> None:
    sandbox.configure(keyStatus=key_status)
    with pytest.raises(error):
        client.profile()


def test_errors_are_typed_and_carry_field_errors(client, sandbox) -> None:
    with pytest.raises(NotFound):
        client.contact("00000000-0000-4000-8000-000000000000")
    with pytest.raises(ValidationFailed) as invalid:
        client.create_contact({"version": 0, "roles": {}, "company": {"name": ""}})
    assert "company.name" in invalid.value.field_errors
    with pytest.raises(ValidationFailed) as too_short:
        client.contacts(name="ab")
    assert too_short.value.status == 400
    contact = next(client.iter_contacts())
    with pytest.raises(Conflict):
        client.update_contact(contact["id"], {**contact, "version": contact["version"] - 1})
    with pytest.raises(ValidationFailed) as regular:
        client.voucherlist(voucher_type="nonsense")
    assert regular.value.status == 400


def test_rate_limits_and_server_errors_are_retried_then_typed(client, sandbox) -> None:
    sandbox.set_faults([{"path": "^/v1/profile", "kind": "status", "status": 429, "count": 2}])
    assert client.profile()["organizationId"] == sandbox.organization_id
    sandbox.set_faults([{"path": "^/v1/profile", "kind": "status", "status": 429}])
    with pytest.raises(RateLimited):
        Lexoffice(sandbox.api_key, sandbox.base_url, rate=0, max_attempts=3).profile()
    sandbox.set_faults([{"path": "^/v1/profile", "kind": "status", "status": 503}])
    with pytest.raises(ServerError):
        Lexoffice(sandbox.api_key, sandbox.base_url, rate=0, max_attempts=3).profile()
    sandbox.set_faults(
        [{"path": "^/v1/contacts", "method": "POST", "kind": "status", "status": 504, "applyWrite": True, "count": 1}]
    )
    with pytest.raises(MaybeExecuted):
        client.create_contact({"version": 0, "roles": {"customer": {}}, "company": {"name": "Timeout GmbH"}})


def test_an_unreachable_host_is_a_transport_error(settings) -> None:
    settings.LEXOFFICE_API_BASE_URLS = ["http://127.0.0.1:9"]
    with pytest.raises(TransportError):
        Lexoffice("key", "http://127.0.0.1:9", rate=0, max_attempts=2).profile()


@responses.activate
def test_retry_after_is_honoured_when_present(settings) -> None:
    settings.LEXOFFICE_API_BASE_URLS = ["https://lexoffice.test"]
    responses.get("https://lexoffice.test/v1/profile", status=429, headers={"Retry-After": "1"})
    responses.get("https://lexoffice.test/v1/profile", json={"organizationId": "x"})
    client = Lexoffice("key", "https://lexoffice.test", rate=0)

    import time

    started = time.monotonic()
    assert client.profile() == {"organizationId": "x"}
    assert time.monotonic() - started >= 1.0


def test_with_twenty_percent_faults_gets_succeed_and_no_post_is_sent_twice(sandbox) -> None:
    client = Lexoffice(sandbox.api_key, sandbox.base_url, rate=0, max_attempts=8, max_retry_seconds=30)
    sandbox.set_faults(
        [
            {"path": "^/v1/", "rate": 0.05, "kind": "status", "status": 429},
            {"path": "^/v1/", "rate": 0.05, "kind": "status", "status": 500},
            {"path": "^/v1/", "rate": 0.05, "kind": "status", "status": 504, "applyWrite": True},
            {"path": "^/v1/", "rate": 0.05, "kind": "drop", "applyWrite": True},
        ],
        seed=20,
    )
    contact_ids = [
        c["id"] for c in Lexoffice(sandbox.api_key, sandbox.base_url, rate=0, max_attempts=20).iter_contacts()
    ]
    outcomes = {"ok": 0, "typed": 0}
    for _ in range(10):
        for contact_id in contact_ids:
            try:
                client.contact(contact_id)
                outcomes["ok"] += 1
            except (RateLimited, ServerError, TransportError):
                outcomes["typed"] += 1
    posts = 0
    for index in range(30):
        with contextlib.suppress(MaybeExecuted, RateLimited, TransportError):
            client.create_contact({"version": 0, "roles": {"customer": {}}, "company": {"name": f"Post {index}"}})
        posts += 1
    sandbox.clear_faults()

    assert outcomes["ok"] + outcomes["typed"] == 50
    assert outcomes["ok"] >= 45
    post_paths = [r for r in sandbox.requests_log() if r["method"] == "POST" and r["status"] != 429]
    assert len(post_paths) == posts  # each create reached Lexoffice once: no blind repeat


def test_the_key_never_appears_in_repr_errors_or_logs(sandbox, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client = Lexoffice(sandbox.api_key, sandbox.base_url, rate=0, max_attempts=2)
    texts = [repr(client)]
    client.profile()
    sandbox.set_faults([{"path": "^/v1/", "kind": "status", "status": 500}])
    for call in (client.profile, lambda: client.contact("00000000-0000-4000-8000-000000000000")):
        try:
            call()
        except Exception as exc:
            texts += [str(exc), repr(exc), repr(exc.__dict__)]
    sandbox.configure(keyStatus="revoked")
    try:
        client.profile()
    except AuthenticationError as exc:
        texts += [str(exc), repr(exc.__dict__)]
    texts.append(caplog.text)

    assert all(sandbox.api_key not in text for text in texts)


@pytest.mark.parametrize(
    "path",
    [
        "http://evil.test/v1/x",
        "//evil.test/v1",
        "/v1/../admin",
        "/v1/%2e%2e/x",
        "/v1/x\r\nHost: evil",
        "/v2/x",
        "/v1/@evil.test",
    ],
)
def test_passthrough_refuses_paths_that_could_leave_the_host(client, path) -> None:
    with pytest.raises(PassthroughRejected):
        client.request("GET", path)


def test_passthrough_returns_errors_as_they_are(client) -> None:
    response = client.request("GET", "/v1/contacts/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    with pytest.raises(PassthroughRejected):
        client.request("GET", "/v1/profile", headers={"Authorization": "Bearer other"})
