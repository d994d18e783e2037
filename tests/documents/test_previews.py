"""Previews: rendered by the real Celery worker after an upload, bounded whatever the file claims, served
under the files' own rules, shown on the voucher page and in the receipts inbox."""

import io
import time
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.documents.corpus import jpeg, pdf_pages, photo, png, png_bomb, with_orientation
from tests.writes import files
from vouchers.models import DocumentPreview, File, Voucher
from vouchers.previews.service import PAGE_BOX, THUMBNAIL_BOX, make_previews, storage_name

pytestmark = pytest.mark.django_db


def stored_file(connection, content: bytes, *, voucher: Voucher | None = None) -> File:
    file = File.objects.create(connection=connection, lexoffice_id=uuid.uuid4(), voucher=voucher, size=len(content))
    file.content.save(f"{file.lexoffice_id}", ContentFile(content))
    return file


def image_at(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as handle:
        return Image.open(io.BytesIO(handle.read()))


def test_a_scan_gets_a_thumbnail_and_an_image_per_page(connection, media) -> None:
    file = stored_file(connection, pdf_pages(3, seed=1))

    preview = make_previews(file_id=file.pk)

    assert (preview.state, preview.page_count, preview.rendered_pages) == ("ready", 3, 3)
    thumb = image_at(storage_name(file_id=file.pk, kind="thumb", page=1))
    assert thumb.format == "JPEG" and max(thumb.size) == THUMBNAIL_BOX
    assert [max(image_at(storage_name(file_id=file.pk, kind="page", page=n)).size) for n in (1, 2, 3)] == [PAGE_BOX] * 3


def test_a_photo_is_previewed_upright(connection, media) -> None:
    file = stored_file(connection, with_orientation(photo(400, 300, seed=2), 6))

    make_previews(file_id=file.pk)

    page = image_at(storage_name(file_id=file.pk, kind="page", page=1))
    assert page.width < page.height  # turned as the camera recorded


@pytest.mark.parametrize(
    "content",
    [
        png_bomb(30000, 30000),  # a decompression bomb Lexoffice handed back (not checked on the way in)
        png(photo(300, 200, seed=9))[:5000],
        b"%PDF-1.4\nnot really a pdf\n%%EOF\n",
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
    ],
    ids=["bomb", "truncated-png", "broken-pdf", "svg"],
)
def test_files_that_cannot_be_previewed_are_marked_and_nothing_is_rendered(connection, media, content) -> None:
    file = stored_file(connection, content)

    started = time.process_time()
    preview = make_previews(file_id=file.pk)

    assert preview.state == DocumentPreview.State.FAILED and preview.error
    assert not default_storage.exists(storage_name(file_id=file.pk, kind="thumb", page=1))
    assert time.process_time() - started < 2


def test_a_huge_pdf_page_is_rendered_within_the_box(connection, media) -> None:
    giant = files.pdf("Plakat").replace(b"/MediaBox [0 0 595 842]", b"/MediaBox [0 0 14400 14400]")
    file = stored_file(connection, giant)

    make_previews(file_id=file.pk)

    assert max(image_at(storage_name(file_id=file.pk, kind="page", page=1)).size) == PAGE_BOX


def test_previews_are_served_safely_and_only_to_who_may_see_the_file(
    alice_client, bob_client, connection, media
) -> None:
    file = stored_file(connection, jpeg(photo(300, 200, seed=3)))
    make_previews(file_id=file.pk)
    url = f"/vouchers/files/{file.pk}/preview/thumb-1.jpg"

    response = alice_client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert bob_client.get(url).status_code == 404
    assert alice_client.get(f"/vouchers/files/{file.pk}/preview/../thumb-1.jpg").status_code == 404
    assert alice_client.get(f"/vouchers/files/{file.pk}/preview/other-1.jpg").status_code == 404


def test_the_voucher_page_shows_the_preview_with_page_navigation(alice_client, synced_voucher, media) -> None:
    voucher, connection = synced_voucher
    file = stored_file(connection, pdf_pages(2, seed=4), voucher=voucher)
    waiting = alice_client.get(f"/vouchers/{voucher.pk}/").content.decode()
    make_previews(file_id=file.pk)

    first = alice_client.get(f"/vouchers/{voucher.pk}/").content.decode()
    second = alice_client.get(f"/vouchers/{voucher.pk}/?page=2").content.decode()

    assert 'data-state="pending"' in waiting
    assert f"/vouchers/files/{file.pk}/preview/page-1.jpg" in first and 'rel="next"' in first
    assert f"/vouchers/files/{file.pk}/preview/page-2.jpg" in second and 'rel="prev"' in second


@pytest.fixture
def synced_voucher(connection):
    from connections.models import SyncRun
    from connections.sync import run_sync

    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    voucher = Voucher.objects.filter(connection=connection, voucher_type="purchaseinvoice").first()
    voucher.files.all().delete()
    return voucher, connection


def wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_worker_renders_the_previews_of_an_upload_for_the_inbox(alice_client, connection, celery_worker) -> None:
    response = alice_client.post(
        "/receipts/upload/",
        {"files": SimpleUploadedFile("kassenbon.jpg", jpeg(photo(640, 480, seed=5)))},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201, response.content
    upload_id = response.json()["uploads"][0]["id"]

    wait_until(lambda: DocumentPreview.objects.filter(file__uploads__pk=upload_id, state="ready").exists(), 30)

    status = alice_client.get(f"/receipts/status/?ids={upload_id}").json()["uploads"][0]
    assert status["thumbnail_url"].endswith("/preview/thumb-1.jpg")
    assert alice_client.get(status["thumbnail_url"]).status_code == 200
    assert status["thumbnail_url"] in alice_client.get("/receipts/").content.decode()
