import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from harness.processes import free_port
from sandbox.seed import seed_organization
from sandbox.store import Organization
from tests.writes import files

MAX = 5 * 1024 * 1024


def upload(sandbox, name: str, content: bytes, kind: str | None = "voucher"):
    data = {"type": kind} if kind else {}
    return sandbox.api("POST", "/v1/files", files={"file": (name, content)}, data=data)


def test_an_upload_creates_an_unchecked_voucher_and_duplicates_return_the_same_ids(sandbox) -> None:
    first = upload(sandbox, "beleg.pdf", files.pdf("Beleg 1"))
    again = upload(sandbox, "kopie.pdf", files.pdf("Beleg 1"))

    assert first.status_code == 202
    assert set(first.json()) == {"id", "voucherId"}
    assert again.json() == first.json()
    voucher = sandbox.api("GET", f"/v1/vouchers/{first.json()['voucherId']}").json()
    assert (voucher["voucherStatus"], voucher["files"]) == ("unchecked", [first.json()["id"]])


def test_upload_refusals(sandbox) -> None:
    exact = b"%PDF-1.4\n" + b"0" * (MAX - 9 - 7) + b"\n%%EOF\n"
    assert len(exact) == MAX
    assert upload(sandbox, "max.pdf", exact).status_code == 202
    over = upload(sandbox, "over.pdf", exact + b"\n")
    assert (over.status_code, over.json()["IssueList"][0]["i18nKey"]) == (406, "max_file_size_exceeded")
    assert upload(sandbox, "a.pdf", files.pdf(), kind=None).status_code == 400
    assert upload(sandbox, "a.pdf", files.pdf(), kind="receipt").status_code == 400
    assert (
        upload(sandbox, "noextension", files.pdf()).json()["IssueList"][0]["i18nKey"] == "inacceptable_file_extension"
    )
    assert upload(sandbox, "fake.pdf", files.png()).json()["IssueList"][0]["i18nKey"] == "voucher_upload_toxic_pdf"
    assert upload(sandbox, "fake.png", b"not an image").json()["IssueList"][0]["i18nKey"] == "image_conversion_error"
    assert (
        upload(sandbox, "e.xml", b"<?xml version='1.0'?><x/>").json()["IssueList"][0]["i18nKey"]
        == "inacceptable_file_extension"
    )
    no_part = sandbox.api("POST", "/v1/files", files={"other": ("a.pdf", files.pdf())}, data={"type": "voucher"})
    assert no_part.status_code == 500


def test_downloads_follow_the_accept_matrix(sandbox) -> None:
    file_id = upload(sandbox, "scan.png", files.png(seed=77)).json()["id"]

    png = sandbox.api("GET", f"/v1/files/{file_id}", headers={"Accept": "*/*"})
    assert (png.status_code, png.headers["Content-Type"]) == (200, "image/png")
    assert png.headers["Content-Disposition"] == f"inline; filename={file_id}.png;"
    assert png.headers["Content-Length"] == str(len(png.content))
    assert sandbox.api("GET", f"/v1/files/{file_id}", headers={"Accept": "application/xml"}).status_code == 404
    assert sandbox.api("GET", f"/v1/files/{file_id}", headers={"Accept": "application/json"}).status_code == 406


class Catcher(BaseHTTPRequestHandler):
    received: list[tuple[bytes, str]] = []

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.end_headers()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers.get("X-Lxo-Signature", "")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def catcher():
    port = free_port()
    handler = type("CatcherHandler", (Catcher,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/hook", handler
    server.shutdown()


def test_subscriptions_crud(sandbox, catcher) -> None:
    url, _handler = catcher
    created = sandbox.api("POST", "/v1/event-subscriptions", json={"eventType": "contact.changed", "callbackUrl": url})
    duplicate = sandbox.api(
        "POST", "/v1/event-subscriptions", json={"eventType": "contact.changed", "callbackUrl": url}
    )
    not_https = sandbox.api(
        "POST",
        "/v1/event-subscriptions",
        json={"eventType": "contact.created", "callbackUrl": "http://example.org/hook"},
    )
    unreachable = sandbox.api(
        "POST",
        "/v1/event-subscriptions",
        json={"eventType": "contact.created", "callbackUrl": f"http://127.0.0.1:{free_port()}/hook"},
    )

    assert (created.status_code, created.json()["version"]) == (201, 0)
    assert created.headers["Location"].endswith(created.json()["id"])
    assert (duplicate.status_code, not_https.status_code, unreachable.status_code) == (409, 406, 406)
    listed = sandbox.api("GET", "/v1/event-subscriptions").json()
    assert list(listed) == ["content"]
    assert listed["content"][0]["subscriptionId"] == created.json()["id"]
    assert sandbox.api("DELETE", f"/v1/event-subscriptions/{created.json()['id']}").status_code == 204
    assert sandbox.api("GET", f"/v1/event-subscriptions/{created.json()['id']}").status_code == 404


def test_deliveries_are_signed_over_the_exact_body(sandbox, sandbox_server, catcher) -> None:
    url, handler = catcher
    sandbox.api("POST", "/v1/event-subscriptions", json={"eventType": "contact.changed", "callbackUrl": url})
    contact = sandbox.api("GET", "/v1/contacts").json()["content"][0]
    sandbox.mutate("contact", "change", contact["id"], {"note": "signed"})
    deadline = time.monotonic() + 10
    while not handler.received and time.monotonic() < deadline:
        time.sleep(0.05)
    body, signature = handler.received[0]
    key = serialization.load_pem_public_key(
        requests.get(f"{sandbox_server.base_url}/webhookSignature/public/public_key.pub", timeout=5).content
    )

    assert key.key_size == 4096
    assert json.loads(body) == {
        "organizationId": sandbox.organization_id,
        "eventType": "contact.changed",
        "resourceId": contact["id"],
        "eventDate": json.loads(body)["eventDate"],
    }
    assert b" " not in body
    key.verify(base64.b64decode(signature), body, padding.PKCS1v15(), hashes.SHA512())
    with pytest.raises(InvalidSignature):
        key.verify(
            base64.b64decode(signature), body.replace(b"changed", b"deleted"), padding.PKCS1v15(), hashes.SHA512()
        )


def test_seeding_is_deterministic_and_fast() -> None:
    first, second = Organization("o", "k", "C"), Organization("o", "k", "C")
    seed_organization(first, seed=4, contacts=50, vouchers=50, invoices=10)
    seed_organization(second, seed=4, contacts=50, vouchers=50, invoices=10)
    assert first.contacts == second.contacts
    assert first.vouchers == second.vouchers
    assert first.sales == second.sales
    assert (first.articles, first.recurring_templates) == (second.articles, second.recurring_templates)
    assert (len(first.articles), len(first.recurring_templates)) == (5, 2)
    assert [f.checksum for f in first.files.values()] == [f.checksum for f in second.files.values()]

    big = Organization("o", "k", "C")
    started = time.monotonic()
    seed_organization(big, seed=1, contacts=10_000, vouchers=0, invoices=0)
    assert len(big.contacts) == 10_000
    assert time.monotonic() - started < 10
