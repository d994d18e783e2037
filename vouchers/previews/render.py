"""Page images of a document, bounded: a bitmap is never larger than the size asked for, whatever the file
claims (a PDF page of 200 inches, an image of 60,000 pixels), and images over the pixel limit are refused."""

import io
from collections.abc import Iterator

import pypdfium2 as pdfium  # type: ignore[import-untyped]
from PIL import Image, ImageOps

from vouchers.documents.formats import JPEG, PDF, PNG, sniff
from vouchers.documents.prepare import MAX_PIXELS, PDFIUM_LOCK


class NotPreviewable(Exception):
    """The file cannot be previewed (damaged, a bomb, or a type without pages)."""


def pages(data: bytes, *, box: int, max_pages: int) -> Iterator[Image.Image]:
    """Each page (at most `max_pages`) as an RGB image fitting a `box` x `box` square."""
    kind = sniff(data[:16])
    if kind == PDF:
        yield from pdf_pages(data, box=box, max_pages=max_pages)
    elif kind in (PNG, JPEG):
        yield image_page(data, box=box)
    else:
        raise NotPreviewable("not a PDF, PNG or JPEG")


def page_count(data: bytes) -> int:
    if sniff(data[:16]) != PDF:
        return 1
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise NotPreviewable(str(exc)) from None
        try:
            return len(document)
        finally:
            document.close()


def pdf_pages(data: bytes, *, box: int, max_pages: int) -> Iterator[Image.Image]:
    rendered: list[Image.Image] = []
    with PDFIUM_LOCK:  # render under the lock, hand out the images after it
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise NotPreviewable(str(exc)) from None
        try:
            for index in range(min(len(document), max_pages)):
                page = document[index]
                try:
                    width, height = page.get_size()
                    scale = box / max(width, height, 1.0)
                    bitmap = page.render(scale=scale, may_draw_forms=True)
                    rendered.append(bitmap.to_pil().convert("RGB"))
                    bitmap.close()
                finally:
                    page.close()
        except pdfium.PdfiumError as exc:
            raise NotPreviewable(str(exc)) from None
        finally:
            document.close()
    yield from rendered


def image_page(data: bytes, *, box: int) -> Image.Image:
    try:
        opened = Image.open(io.BytesIO(data))
        if opened.width * opened.height > MAX_PIXELS:
            raise NotPreviewable("too many pixels")
        if opened.format == "JPEG":
            opened.draft("RGB", (box, box))  # decode at 1/2, 1/4 or 1/8 scale when that is enough
        image = ImageOps.exif_transpose(opened)
        image.thumbnail((box, box), Image.Resampling.LANCZOS)
        return image.convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise NotPreviewable(type(exc).__name__) from None


def jpeg_bytes(image: Image.Image, *, quality: int = 80) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()
