"""Which parts of a mail are receipts. A receipt candidate goes through the receipt checks; every other
attachment-like part is recorded as skipped with the reason, so the log accounts for each part."""

from collections.abc import Iterator
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from vouchers.receipts.checks import sniff

# Candidates go to the receipt checks, which decide (phone photos in HEIC included, where the checks take them).
RECEIPT_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/jpg", "image/pjpeg", "image/heic", "image/heif"}
RECEIPT_EXTENSIONS = {"pdf", "png", "jpg", "jpeg", "heic", "heif"}
SIGNATURE_TYPES = {"application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"}
CALENDAR_TYPES = {"text/calendar", "application/ics"}
INLINE_IMAGE_MAX_BYTES = 20 * 1024  # an inline image smaller than this is a logo or a signature picture

# Stored in English (the log's reason), shown translated.
SIGNATURE = gettext_noop("Signature, not a receipt")
CALENDAR = gettext_noop("Calendar entry, not a receipt")
INLINE_LOGO = gettext_noop("Small inline image (a logo or signature picture)")
NOT_RECEIPT = gettext_noop("Not a PDF, PNG or JPEG receipt")
SENDER_NOT_ALLOWED = gettext_noop("The sender is not on the mailbox's list of allowed senders")
NO_ATTACHMENT = gettext_noop("The mail has no attachments")
SKIP_REASONS = [_(SIGNATURE), _(CALENDAR), _(INLINE_LOGO), _(NOT_RECEIPT), _(SENDER_NOT_ALLOWED), _(NO_ATTACHMENT)]


@dataclass(frozen=True)
class Part:
    index: int
    filename: str
    content_type: str
    payload: bytes
    skip_reason: str  # empty: a receipt candidate


def decoded(value: str | None) -> str:
    """A header or file name with RFC 2047 words decoded (RFC 2231 is decoded by get_filename already)."""
    if not value:
        return ""
    try:
        return str(make_header(decode_header(value)))
    except (UnicodeError, LookupError, ValueError):
        return value


def parts(message: Message) -> Iterator[Part]:
    """The attachment-like leaf parts of a mail, forwarded mails included, numbered in walk order.

    The mail's own text (text/plain or text/html without a file name) is not a part here: it is the mail.
    """
    index = 0
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() == "message":
            continue
        content_type = part.get_content_type()
        filename = decoded(part.get_filename())
        disposition = part.get_content_disposition()
        if content_type in ("text/plain", "text/html") and not filename and disposition != "attachment":
            continue
        raw = part.get_payload(decode=True)
        payload = raw if isinstance(raw, bytes) else b""
        index += 1
        yield Part(index, filename, content_type, payload, skip_reason(content_type, filename, disposition, payload))


def skip_reason(content_type: str, filename: str, disposition: str | None, payload: bytes) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if content_type in SIGNATURE_TYPES or extension in ("p7s", "asc", "sig"):
        return SIGNATURE
    if content_type in CALENDAR_TYPES or extension == "ics":
        return CALENDAR
    looks_like_receipt = (
        content_type in RECEIPT_TYPES or extension in RECEIPT_EXTENSIONS or sniff(payload[:16]) is not None
    )
    if not looks_like_receipt:
        return NOT_RECEIPT
    inline = disposition == "inline" or (disposition is None and not filename)
    if content_type.startswith("image/") and inline and len(payload) < INLINE_IMAGE_MAX_BYTES:
        return INLINE_LOGO
    return ""
