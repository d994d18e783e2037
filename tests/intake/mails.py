"""Real MIME for the intake tests: receipts (PDF, PNG, JPEG) and the parts that are not receipts."""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sandbox import documents

SIGNATURE = b"0\x82\x05\x00" + bytes(range(256)) * 4  # the shape of a DER blob; never read as a receipt
CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Termin\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"


def receipt_pdf(label: str) -> bytes:
    return documents.pdf([f"Rechnung {label}"])


def receipt_png(seed: int) -> bytes:
    return documents.png(3, 3, seed)


def logo() -> bytes:
    return documents.png(2, 2, 999_999)


def mail(
    *,
    number: int,
    receipts: list[tuple[str, bytes, str]],
    extras: list[str] = (),  # type: ignore[assignment]
    sender: str = "lieferant@example.org",
    forwarded: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> bytes:
    """A mail with text and HTML bodies, the given receipts (name, bytes, content type) as attachments and the
    given extras: "signature" (smime.p7s), "calendar" (invite.ics), "logo" (inline image), "text" (notes.txt)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "belege@example.org"
    message["Subject"] = f"Rechnung Nr. {number} - Ihre Bestellung"
    message["Date"] = format_datetime(datetime(2026, 11, 1 + number % 28, 9, 30, tzinfo=UTC))
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content(f"Guten Tag,\nanbei die Rechnung {number}.\n")
    message.add_alternative(f"<p>Guten Tag, anbei die Rechnung {number}.</p>", subtype="html")
    for name, payload, content_type in receipts:
        maintype, subtype = content_type.split("/")
        message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=name)
    if forwarded:
        inner = EmailMessage()
        inner["From"] = "original@example.org"
        inner["Subject"] = "Weitergeleitet"
        inner.set_content("Die weitergeleitete Rechnung.")
        for name, payload, content_type in forwarded:
            maintype, subtype = content_type.split("/")
            inner.add_attachment(payload, maintype=maintype, subtype=subtype, filename=name)
        message.add_attachment(inner)
    for extra in extras:
        if extra == "signature":
            message.add_attachment(SIGNATURE, maintype="application", subtype="pkcs7-signature", filename="smime.p7s")
        elif extra == "calendar":
            message.add_attachment(CALENDAR, maintype="text", subtype="calendar", filename="invite.ics")
        elif extra == "logo":
            message.add_attachment(logo(), maintype="image", subtype="png", disposition="inline", cid="<logo@x>")
        elif extra == "text":
            message.add_attachment("Notizen", filename="notes.txt")
    return message.as_bytes()
