"""A received file made sendable to Lexoffice, which takes PDF, PNG and JPEG of at most 5 MiB.

Images are judged by decoding them, not by their last bytes: data after the image's end (motion photos,
vendor trailers) is trimmed, HEIC/HEIF becomes JPEG, EXIF rotation is applied to the pixels, and an image
over the limit is re-encoded smaller until it fits. Decompression bombs, damaged images, PDFs that do not
parse and encrypted PDFs are refused with a reason; nothing refused leaves Lexhub.
"""

import io
import threading
from dataclasses import dataclass

import pillow_heif
import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from vouchers.documents.formats import EXTENSIONS, HEIF, JPEG, PDF, PNG, jpeg_end, png_end, sniff

pillow_heif.register_heif_opener()

SEND_LIMIT = 5 * 1024 * 1024  # Lexoffice accepts 5,242,880 bytes and refuses one more
MAX_PIXELS = 64_000_000  # a 48-megapixel phone photo passes; more is refused before it is decoded
ORIENTATION = 0x0112
# (longest side, JPEG quality) tried in turn until a photo fits; a receipt stays legible at each step
FIT_STEPS = ((4000, 85), (4000, 75), (3200, 75), (2600, 70), (2000, 65))
FULL_QUALITY = 90
PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe


class DocumentRefused(Exception):
    """Why a file cannot be sent; `status` is the 4xx to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Prepared:
    content: bytes
    content_type: str
    extension: str
    changes: tuple[str, ...]  # of CHANGES: what was done to the received file


def change_labels() -> dict[str, str]:
    return {
        "converted": _("converted from HEIC to JPEG"),
        "rotated": _("rotated as the camera recorded"),
        "trimmed": _("data after the image removed"),
        "reduced": _("made smaller to fit 5 MB"),
    }


def truncated() -> DocumentRefused:
    return DocumentRefused(_("The file looks truncated or damaged."))


def prepare(data: bytes) -> Prepared:
    """The file to send for `data`, or DocumentRefused. XML is not handled here (see receipts.checks)."""
    kind = sniff(data[:16])
    if kind is None:
        raise DocumentRefused(
            _("Only PDF, PNG, JPEG and HEIC files can be uploaded (checked by content, not name)."), status=415
        )
    if kind == PDF:
        check_pdf(data)
        return Prepared(data, PDF, "pdf", ())
    return prepare_image(data, kind)


def check_pdf(data: bytes) -> None:
    if len(data) > SEND_LIMIT:
        raise DocumentRefused(_("The PDF is larger than 5 MB, Lexoffice's limit; PDFs are sent unchanged."), 413)
    if b"%%EOF" not in data[-1024:]:
        raise truncated()
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
                raise encrypted() from None
            raise DocumentRefused(_("The PDF could not be read; it is damaged.")) from None
        try:
            if pdfium_c.FPDF_GetSecurityHandlerRevision(document.raw) != -1:
                raise encrypted()
            if len(document) == 0:
                raise DocumentRefused(_("The PDF has no pages."))
            document[0].close()
        except pdfium.PdfiumError:
            raise DocumentRefused(_("The PDF could not be read; it is damaged.")) from None
        finally:
            document.close()


def encrypted() -> DocumentRefused:
    return DocumentRefused(
        _("The PDF is encrypted or protected by a password; Lexoffice cannot read it. Save it without protection.")
    )


def prepare_image(data: bytes, kind: str) -> Prepared:
    changes: list[str] = []
    if kind in (PNG, JPEG):
        end = png_end(data) if kind == PNG else jpeg_end(data)
        if end is None:
            raise truncated()
        if end < len(data):
            data, changes = data[:end], ["trimmed"]
    image = open_image(data)
    rotated = image.getexif().get(ORIENTATION, 1) not in (1, 0)
    if kind == JPEG and not rotated and len(data) <= SEND_LIMIT:
        decode(image, scale_down=True)  # decoding it all is what proves it whole; 1/8 scale is enough
        return Prepared(data, JPEG, "jpg", tuple(changes))
    decode(image, scale_down=False)
    if kind == HEIF:
        changes.append("converted")
    if rotated:
        image = ImageOps.exif_transpose(image)
        changes.append("rotated")
    if kind != PNG and (kind == HEIF or rotated):
        data, kind = encode_jpeg(image, longest=None, quality=FULL_QUALITY), JPEG
    elif kind == PNG and rotated:
        data = encode_png(image)
    if len(data) > SEND_LIMIT:
        data, kind = fit(image), JPEG
        changes.append("reduced")
    return Prepared(data, kind, EXTENSIONS[kind], tuple(changes))


def open_image(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise bomb() from None
    except (OSError, SyntaxError, ValueError):
        raise DocumentRefused(_("The image could not be read; it is damaged or not really an image.")) from None
    width, height = image.size
    if width * height > MAX_PIXELS or width < 1 or height < 1:
        raise bomb()
    return image


def bomb() -> DocumentRefused:
    return DocumentRefused(
        _("The image has too many pixels to process safely (at most %(limit)d megapixels).")
        % {"limit": MAX_PIXELS // 1_000_000},
        status=413,
    )


def decode(image: Image.Image, *, scale_down: bool) -> None:
    if scale_down and image.format == "JPEG":
        image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
    try:
        image.load()
    except Image.DecompressionBombError:
        raise bomb() from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise truncated() from None


def flattened(image: Image.Image) -> Image.Image:
    """RGB or grey pixels for JPEG: transparency over white, CMYK and palettes converted."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def encode_jpeg(image: Image.Image, *, longest: int | None, quality: int) -> bytes:
    pixels = flattened(image)
    if longest is not None and max(pixels.size) > longest:
        pixels = pixels.copy()
        pixels.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=quality, optimize=True, icc_profile=image.info.get("icc_profile"))
    return out.getvalue()


def encode_png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()


def fit(image: Image.Image) -> bytes:
    for longest, quality in FIT_STEPS:
        data = encode_jpeg(image, longest=longest, quality=quality)
        if len(data) <= SEND_LIMIT:
            return data
    raise DocumentRefused(_("The image cannot be made smaller than 5 MB and stay legible."), status=413)


__all__ = ["HEIF", "DocumentRefused", "Prepared", "change_labels", "prepare"]
