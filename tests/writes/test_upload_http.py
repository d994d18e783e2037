"""Malformed uploads at the HTTP entry points: every one refused with a 4xx and a readable message,
nothing stored (database, media), nothing sent to Lexoffice (the sandbox's request count)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from connections.models import AuditLog, OutboxEntry, SyncRun
from connections.sync import run_sync
from tests.writes import files
from tests.writes.test_uploads import malformed_uploads
from vouchers.models import File, Upload, Voucher
from vouchers.receipts.checks import MAX_RECEIVED_BYTES, MAX_UPLOAD_BYTES

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}
BOUNDARY = "lexhubBoundary7MA4YWxk"


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def voucher(connection) -> Voucher:
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    return Voucher.objects.filter(connection=connection, voucher_type="purchaseinvoice").first()


def part(name: str, content: bytes, filename: str | None = None, content_type: str = "application/pdf") -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
    if filename is not None:
        head += f"Content-Type: {content_type}\r\n"
    return head.encode() + b"\r\n" + content + b"\r\n"


def end() -> bytes:
    return f"--{BOUNDARY}--\r\n".encode()


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def broken_bodies(field: str) -> list[tuple[str, bytes, str]]:
    """(case, body, content type): bodies a browser would never send."""
    pdf = files.pdf("kaputt")
    many = b"".join(part(field, files.png(seed=i), f"{i}.png", "image/png") for i in range(101)) + end()
    fields = b"".join(part(f"f{i}", b"x") for i in range(1100)) + end()
    return [
        ("no closing boundary", part(field, pdf, "a.pdf"), MULTIPART),
        ("cut inside the file", part(field, pdf, "a.pdf")[: len(pdf) // 2], MULTIPART),
        ("no boundary parameter", part(field, pdf, "a.pdf") + end(), "multipart/form-data"),
        ("invalid boundary", part(field, pdf, "a.pdf") + end(), 'multipart/form-data; boundary="\x7f"'),
        ("wrong boundary", part(field, pdf, "a.pdf") + end(), "multipart/form-data; boundary=other"),
        ("garbage", b"\x00\xff" * 500, MULTIPART),
        ("empty body", b"", MULTIPART),
        (
            "headers never end",
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"'.encode() + b"x" * 2000,
            MULTIPART,
        ),
        (
            "no content disposition",
            f"--{BOUNDARY}\r\nContent-Type: application/pdf\r\n\r\n".encode() + pdf + b"\r\n" + end(),
            MULTIPART,
        ),
        ("empty filename", part(field, pdf, "") + end(), MULTIPART),
        ("other field name", part("upload", pdf, "a.pdf") + end(), MULTIPART),
        (
            "invalid base64",
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="a.pdf"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n".encode()
            + b"!!!not base64!!!\r\n"
            + end(),
            MULTIPART,
        ),
        ("json instead of multipart", b'{"file": "JVBERi0="}', "application/json"),
        ("urlencoded", b"files=%25PDF-1.4", "application/x-www-form-urlencoded"),
        ("urlencoded over the field limit", b"files=" + b"A" * (3 * 1024 * 1024), "application/x-www-form-urlencoded"),
        ("101 files", many, MULTIPART),
        ("1100 fields", fields, MULTIPART),
        (
            "ten times the limit then a valid file",
            part(field, b"%PDF-1.4\n" + b"0" * (10 * MAX_UPLOAD_BYTES), "big.pdf") + part(field, pdf, "ok.pdf") + end(),
            MULTIPART,
        ),
        ("utf-16 charset", part(field, pdf, "a.pdf") + end(), MULTIPART + "; charset=utf-16"),
    ]


def readable(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        return body.get("error") or " ".join(u["error"] for u in body.get("uploads", []))
    return response.content.decode()


def assert_no_trace(sandbox, before: int, media: Path, files_before: int) -> None:
    assert Upload.objects.count() == 0
    assert File.objects.count() == files_before
    assert not OutboxEntry.objects.exists()
    assert not AuditLog.objects.filter(action="upload_file").exists()
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]
    assert sandbox.counters()["requests"] == before


@pytest.mark.parametrize("target", ["receipts", "voucher"])
def test_two_hundred_malformed_uploads_are_refused_without_a_trace(
    alice_client, connection, sandbox, media, request, target
) -> None:
    if target == "voucher":
        url, field = f"/vouchers/{request.getfixturevalue('voucher').pk}/files/", "file"
    else:
        url, field = "/receipts/upload/", "files"
    cases = [(name, {field: SimpleUploadedFile(name, content)}) for name, content in malformed_uploads()]
    files_before, before = File.objects.count(), sandbox.counters()["requests"]

    answers = [(name, alice_client.post(url, data, **JSON)) for name, data in cases]
    answers += [
        (case, alice_client.generic("POST", url, body, content_type=kind, **JSON))
        for case, body, kind in broken_bodies(field)
    ]

    assert len(answers) >= 220
    wrong = [(name, response.status_code) for name, response in answers if not 400 <= response.status_code < 500]
    assert wrong == []
    silent = [name for name, response in answers if len(readable(response)) < 10]
    assert silent == []
    assert_no_trace(sandbox, before, media, files_before)


def test_the_plain_form_reports_refusals_and_stores_nothing(alice_client, connection, sandbox, media) -> None:
    cases = malformed_uploads()[::10]
    before = sandbox.counters()["requests"]

    response = alice_client.post(
        "/receipts/upload/", {"files": [SimpleUploadedFile(n, c) for n, c in cases]}, follow=True
    )

    html = response.content.decode()
    assert response.redirect_chain[0][1] == 302
    assert html.count('class="message error"') >= len(cases) - 1  # a file after the 10x one is never read
    assert_no_trace(sandbox, before, media, 0)


def test_ten_times_the_limit_is_never_stored_beyond_the_limit(alice_client, connection, sandbox, media) -> None:
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * MAX_UPLOAD_BYTES))

    response = alice_client.post("/receipts/upload/", {"files": big}, **JSON)

    handler = response.wsgi_request.upload_handlers[0]
    assert response.status_code == 413
    assert "larger than 20 MB" in response.json()["uploads"][0]["error"]
    assert handler.too_large and handler.received <= MAX_RECEIVED_BYTES + handler.chunk_size


def test_a_user_without_a_connection_is_refused_readably(bob, connection, sandbox, media) -> None:
    client = Client()
    client.force_login(bob)
    before = sandbox.counters()["requests"]

    refused = client.post("/receipts/upload/", {"files": SimpleUploadedFile("a.pdf", files.pdf())}, **JSON)

    assert refused.status_code == 400 and "connection" in readable(refused)
    assert_no_trace(sandbox, before, media, 0)


def test_a_broken_body_from_the_plain_form_gets_a_readable_page(alice_client, connection, sandbox, media) -> None:
    before = sandbox.counters()["requests"]

    response = alice_client.generic(
        "POST", "/receipts/upload/", part("files", files.pdf(), "a.pdf") + end(), content_type="multipart/form-data"
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "<h1>Upload refused</h1>" in html and "broken multipart body" in html
    assert 'href="/receipts/"' in html
    assert_no_trace(sandbox, before, media, 0)
