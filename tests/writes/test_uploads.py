import itertools
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from connections.writes import WriteError
from tests.writes import files
from vouchers.models import File, Upload
from vouchers.receipts.checks import MAX_UPLOAD_BYTES, DuplicateUpload
from vouchers.receipts.sync import upload_receipt

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_a_receipt_is_uploaded_and_stored_under_a_generated_name(connection, sandbox, alice, media) -> None:
    upload = upload_receipt(
        connection=connection, upload=SimpleUploadedFile("../../etc/Tankbeleg März.pdf", files.pdf("Tank")), user=alice
    )

    assert upload.state in (Upload.State.UPLOADED, Upload.State.LINKED)
    assert upload.original_name == "Tankbeleg März.pdf"
    assert "Tankbeleg" not in upload.content.name and ".." not in upload.content.name
    assert File.objects.get(connection=connection, sha256=upload.sha256).lexoffice_id == upload.file.lexoffice_id


def test_a_duplicate_is_refused_unless_forced(connection, sandbox, alice, media) -> None:
    content = files.png(seed=3)
    first = upload_receipt(connection=connection, upload=SimpleUploadedFile("a.png", content), user=alice)

    with pytest.raises(DuplicateUpload):
        upload_receipt(connection=connection, upload=SimpleUploadedFile("b.png", content), user=alice)
    forced = upload_receipt(connection=connection, upload=SimpleUploadedFile("b.png", content), user=alice, force=True)

    assert forced.pk != first.pk


def malformed_uploads() -> list[tuple[str, bytes]]:
    valid = {"pdf": files.pdf(), "png": files.png(), "jpg": files.jpeg()}
    cases: list[tuple[str, bytes]] = [("empty.pdf", b"")]
    one_byte_over = (b"%PDF-1.4\n" + b"0" * MAX_UPLOAD_BYTES)[: MAX_UPLOAD_BYTES - 6] + b"\n%%EOF\n"
    cases.append(("one-byte-over.pdf", one_byte_over))
    cases.append(("ten-times.pdf", b"%PDF-1.4\n" + b"0" * (10 * MAX_UPLOAD_BYTES)))
    foreign = {
        "zip": b"PK\x03\x04" + b"\x00" * 40,
        "exe": b"MZ\x90\x00" + b"\x00" * 60,
        "gif": b"GIF89a" + b"\x00" * 40,
        "html": b"<!doctype html><script>alert(1)</script>",
        "svg": b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
        "text": b"just some text\n",
        "elf": b"\x7fELF" + b"\x00" * 60,
        "rtf": b"{\\rtf1 hello}",
        "bmp": b"BM" + b"\x00" * 60,
        "tiff": b"II*\x00" + b"\x00" * 60,
    }
    for (kind, content), extension in itertools.product(foreign.items(), ("pdf", "jpg", "png")):
        cases.append((f"{kind}.{extension}", content))
    for extension, content in valid.items():
        for cut in range(1, 27):  # truncated: the end marker is missing
            cases.append((f"truncated-{cut}.{extension}", content[: max(1, len(content) - cut * 3)]))
    hostile_names = [
        "../../../etc/passwd",
        "..\\..\\boot.ini",
        "\x00.pdf",
        "CON",
        "a" * 500,
        "<script>.png",
        "%2e%2e%2fsecret.pdf",
        "x.pdf\r\nX-Header: 1",
        "\u202egnp.pdf",
    ]
    for name, (kind, content) in itertools.product(hostile_names, foreign.items()):
        cases.append((name, content))
    return cases


def test_malformed_uploads_are_refused_and_leave_no_trace(connection, sandbox, alice, media) -> None:
    cases = malformed_uploads()
    before = sandbox.counters()["requests"]
    assert len(cases) >= 200

    refused = []
    for name, content in cases:
        with pytest.raises(WriteError) as error:
            upload_receipt(connection=connection, upload=SimpleUploadedFile(name, content), user=alice)
        refused.append((error.value.status, error.value.message))

    assert all(400 <= status < 500 for status, _message in refused)
    assert all(message for _status, message in refused)
    assert Upload.objects.count() == 0
    assert stored_files(media) == []
    assert sandbox.counters()["requests"] == before


def test_hostile_names_of_valid_files_are_sanitised(connection, sandbox, alice, media) -> None:
    for index, name in enumerate(["../../../etc/passwd", "..\\..\\boot.ini", "<script>.png", "x\r\ny.pdf"]):
        upload = upload_receipt(
            connection=connection, upload=SimpleUploadedFile(name, files.png(seed=index + 10)), user=alice
        )
        assert "/" not in upload.original_name and "\\" not in upload.original_name
        assert "<" not in upload.original_name and "\n" not in upload.original_name
        assert upload.original_name.endswith(".png")
