"""The corpus of real-shaped files through both doors (the drop zone's endpoint and the REST API): each gets
its expected outcome, what is sent is what Lexoffice takes, and nothing refused leaves Lexhub."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageChops, ImageOps, ImageStat

from tests.documents.corpus import Case, corpus
from vouchers.models import Upload

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
SEND_LIMIT = 5 * 1024 * 1024


def through_drop_zone(alice_client, connection, case: Case) -> tuple[int, str]:
    response = alice_client.post(
        "/receipts/upload/",
        {"files": SimpleUploadedFile(case.name, case.content), "force": "on", "connection": connection.pk},
        HTTP_ACCEPT="application/json",
    )
    body = response.json()
    outcome = body["uploads"][0] if body["uploads"] else {"error": body.get("error", "")}
    return response.status_code, outcome.get("error", "")


def through_api(owner, connection, case: Case) -> tuple[int, str]:
    response = owner.post(
        "/api/v1/uploads/",
        {"connection": connection.pk, "file": SimpleUploadedFile(case.name, case.content), "force": "true"},
        format="multipart",
    )
    body = response.json()
    return response.status_code, " ".join([body.get("message", ""), *body.get("fieldErrors", {}).get("file", [])])


def file_posts(sandbox) -> int:
    return sum(1 for r in sandbox.requests_log() if r["method"] == "POST" and r["path"] == "/v1/files")


def problems_with_sent(case: Case, row: Upload, sandbox) -> list[str]:
    """What is wrong with what Lexoffice received for an accepted case."""
    problems = []
    with row.content.open("rb") as handle:
        sent = handle.read()
    held = sandbox.api("GET", f"/v1/files/{row.file.lexoffice_id}", headers={"Accept": "*/*"}).content
    if held != sent:
        problems.append("the sandbox holds other bytes than Lexhub says it sent")
    if len(sent) > SEND_LIMIT or row.size != len(sent) or row.sha256 != hashlib.sha256(sent).hexdigest():
        problems.append(f"sent {len(sent)} bytes, recorded {row.size}")
    if row.content_type != case.sent_type or set(filter(None, row.changes.split(","))) != case.changes:
        problems.append(f"sent {row.content_type} with changes {row.changes!r}")
    if row.original_sha256 != hashlib.sha256(case.content).hexdigest() or row.original_size != len(case.content):
        problems.append("the original's checksum or size is not recorded")
    if case.unchanged and sent != case.content:
        problems.append("changed a file that needed no change")
    if not case.unchanged:
        with row.original.open("rb") as handle:
            if handle.read() != case.content:
                problems.append("the original is not kept next to what was sent")
    if case.sent_prefix and sent != case.sent_prefix:
        problems.append("trimmed somewhere else than at the image's end")
    if sent.startswith((b"\xff\xd8", b"\x89PNG")):
        with Image.open(io.BytesIO(sent)) as image:
            image.load()
            if case.upright and image.size != case.upright:
                problems.append(f"rotated to {image.size}, expected {case.upright}")
            if case.upright and difference(image, upright_original(case.content)) > 12:
                problems.append("the pixels are not turned the way the camera recorded")
            if image.getexif().get(0x0112, 1) != 1:
                problems.append("still carries an EXIF rotation after it was applied")
    return problems


def upright_original(content: bytes) -> Image.Image:
    """How a viewer shows the received photo: its EXIF orientation applied (Pillow's own reading of it)."""
    return ImageOps.exif_transpose(Image.open(io.BytesIO(content)))


def difference(one: Image.Image, other: Image.Image) -> float:
    """Mean absolute grey difference of small copies (0 = same picture, ~85 = unrelated)."""
    small = [image.convert("L").resize((40, 40)) for image in (one, other)]
    return float(ImageStat.Stat(ImageChops.difference(*small)).mean[0])


@pytest.mark.parametrize("door", ["drop_zone", "api"])
def test_every_file_of_the_corpus_gets_its_expected_outcome(
    door, alice_client, owner, connection, sandbox, media
) -> None:
    cases = corpus()
    assert len(cases) >= 40
    send = through_drop_zone if door == "drop_zone" else through_api
    client = alice_client if door == "drop_zone" else owner
    mismatches: list[str] = []
    for case in cases:
        uploads_before, posts_before = Upload.objects.count(), file_posts(sandbox)
        status, message = send(client, connection, case)
        if case.status == 201:
            row = Upload.objects.order_by("-pk").first()
            if status != 201 or row is None or row.state not in (Upload.State.UPLOADED, Upload.State.LINKED):
                mismatches.append(f"{case.name}: expected it sent, got {status} {message!r}")
                continue
            mismatches += [f"{case.name}: {problem}" for problem in problems_with_sent(case, row, sandbox)]
        else:
            if status != case.status or case.message not in message or not message:
                mismatches.append(f"{case.name}: expected {case.status} ({case.message}), got {status} {message!r}")
            if Upload.objects.count() != uploads_before or file_posts(sandbox) != posts_before:
                mismatches.append(f"{case.name}: refused, yet stored or sent")
    assert mismatches == []
