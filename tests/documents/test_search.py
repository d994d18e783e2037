"""Search finds a voucher by a word that is printed only in its file: the PDF's text layer, and a photographed
receipt read by Tesseract (installed by .ci/run; skipped without it locally, a failure in CI)."""

import io
import shutil
import uuid

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from connections.models import SyncRun
from connections.sync import run_sync
from tests.conftest import require
from tests.writes import files
from vouchers.models import DocumentText, File, Voucher
from vouchers.previews.service import extract_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def vouchers(connection, media) -> list[Voucher]:
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    found = list(Voucher.objects.filter(connection=connection, voucher_type="purchaseinvoice").order_by("pk")[:2])
    assert len(found) == 2
    return found


def attach(voucher: Voucher, content: bytes) -> File:
    file = File.objects.create(connection=voucher.connection, lexoffice_id=uuid.uuid4(), voucher=voucher)
    file.content.save(str(file.lexoffice_id), ContentFile(content))
    return file


def photographed_receipt(lines: list[str]) -> bytes:
    """A receipt as a phone photographs it: dark print on slightly grey paper, a little tilted and soft."""
    font = ImageFont.load_default(size=44)
    paper = Image.new("L", (1100, 120 + 70 * len(lines)), 235)
    draw = ImageDraw.Draw(paper)
    for number, line in enumerate(lines):
        draw.text((60, 60 + 70 * number), line, fill=30, font=font)
    photo = paper.rotate(1.5, expand=True, fillcolor=90).filter(ImageFilter.GaussianBlur(0.8)).convert("RGB")
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=85)
    return out.getvalue()


def listed(alice_client, term: str) -> str:
    return alice_client.get("/vouchers/", {"q": term}).content.decode()


def test_a_word_of_the_pdf_text_layer_finds_its_voucher(alice_client, vouchers) -> None:
    wanted, other = vouchers
    file = attach(wanted, files.pdf("Quittung Kaffeemaschinenentkalker 12,90 EUR"))
    extract_text(file_id=attach(other, files.pdf("Quittung Druckerpapier 5,00 EUR")).pk)
    assert "KAFFEEMASCHINEN" not in (wanted.voucher_number + wanted.contact_name).upper()
    assert "Kaffeemaschinen" not in listed(alice_client, "maschinenentkalker")  # not extracted yet: no match

    text = extract_text(file_id=file.pk)

    assert text.source == DocumentText.Source.TEXT_LAYER
    page = listed(alice_client, "maschinenentkalker")
    assert f"/vouchers/{wanted.pk}/" in page and f"/vouchers/{other.pk}/" not in page


@pytest.mark.slow
def test_a_word_on_a_photographed_receipt_finds_its_voucher_by_ocr(alice_client, vouchers) -> None:
    require(shutil.which("tesseract") is not None, "Tesseract (apt tesseract-ocr tesseract-ocr-deu; .ci/run)")
    wanted, other = vouchers
    file = attach(wanted, photographed_receipt(["BAUMARKT MUSTERSTADT", "Schraubenzieher 12,90", "Summe 12,90 EUR"]))
    extract_text(file_id=attach(other, photographed_receipt(["BÄCKEREI", "Brezel 0,90"])).pk)

    text = extract_text(file_id=file.pk)

    assert text.source == DocumentText.Source.OCR and text.ocr_available
    page = listed(alice_client, "schraubenzieher")
    assert f"/vouchers/{wanted.pk}/" in page and f"/vouchers/{other.pk}/" not in page
