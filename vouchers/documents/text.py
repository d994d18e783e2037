"""The text of a document, for search: a PDF's text layer (pypdfium2), else OCR of its pixels by Tesseract
(German and English) when the `tesseract` binary is installed; without it only text layers are searchable."""

import io
import shutil
import subprocess
from functools import cache

import pypdfium2 as pdfium  # type: ignore[import-untyped]
from PIL import Image, ImageOps

from vouchers.documents.formats import JPEG, PDF, PNG, sniff
from vouchers.documents.prepare import MAX_PIXELS, PDFIUM_LOCK

MAX_PAGES = 20  # text of the first pages; receipts are short, and search needs no appendix
OCR_BOX = 2400  # pixels on the longer side: enough for receipt print, bounded for any file
OCR_TIMEOUT = 60
MIN_LAYER_CHARS = 20  # less than this on a PDF: a scan without a text layer, read it by OCR


@cache
def ocr_languages() -> str:
    """`deu+eng` (or what of it is installed), "" when Tesseract is not installed."""
    binary = shutil.which("tesseract")
    if binary is None:
        return ""
    listed = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    installed = set(listed.stdout.split())
    return "+".join(lang for lang in ("deu", "eng") if lang in installed)


def extract(data: bytes) -> tuple[str, str]:
    """(text, source) where source is pdf, ocr or none."""
    kind = sniff(data[:16])
    if kind == PDF:
        text, scans = pdf_text(data)
        if len(text.strip()) >= MIN_LAYER_CHARS or not ocr_languages():
            return text, "pdf" if text.strip() else "none"
        read = "\n".join(ocr(page) for page in scans)
        return (read, "ocr") if read.strip() else (text, "none")
    if kind in (PNG, JPEG) and ocr_languages():
        read = ocr(image_for_ocr(data))
        return (read, "ocr") if read.strip() else ("", "none")
    return "", "none"


def pdf_text(data: bytes) -> tuple[str, list[Image.Image]]:
    """The text layer of the first pages, and those pages rendered for OCR in case it is empty."""
    texts: list[str] = []
    scans: list[Image.Image] = []
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return "", []
        try:
            for index in range(min(len(document), MAX_PAGES)):
                page = document[index]
                textpage = page.get_textpage()
                texts.append(textpage.get_text_bounded())
                textpage.close()
                if ocr_languages() and sum(len(t.strip()) for t in texts) < MIN_LAYER_CHARS:
                    width, height = page.get_size()
                    bitmap = page.render(scale=OCR_BOX / max(width, height, 1.0))
                    scans.append(bitmap.to_pil().convert("L"))
                    bitmap.close()
                page.close()
        except pdfium.PdfiumError:
            pass
        finally:
            document.close()
    return "\n".join(texts), scans


def image_for_ocr(data: bytes) -> Image.Image:
    try:
        opened = Image.open(io.BytesIO(data))
        if opened.width * opened.height > MAX_PIXELS:
            return Image.new("L", (1, 1), 255)
        image = ImageOps.exif_transpose(opened).convert("L")
        image.thumbnail((OCR_BOX, OCR_BOX))
        return image
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return Image.new("L", (1, 1), 255)


def ocr(image: Image.Image) -> str:
    binary = shutil.which("tesseract")
    if binary is None:
        return ""
    out = io.BytesIO()
    image.save(out, "PNG")
    try:
        done = subprocess.run(
            [binary, "stdin", "stdout", "-l", ocr_languages(), "--psm", "3"],
            input=out.getvalue(),
            capture_output=True,
            timeout=OCR_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return ""
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""
