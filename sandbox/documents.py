"""Real, valid files for seeded receipts and rendered sales documents (no dependencies)."""

import struct
import zlib


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a text line each; a correct xref table so readers accept it."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text_ops = "".join(f"BT /F1 11 Tf 56 {780 - 16 * i} Td ({escape(line)}) Tj ET\n" for i, line in enumerate(lines))
    stream = text_ops.encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png(width: int, height: int, seed: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(
        b"\x00" + bytes(((seed * 31 + x * 7 + y * 13) % 256) for x in range(width * 3)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def xrechnung(number: str, total: float) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ubl:Invoice xmlns:ubl="urn:oasis:names:specification:ubl:'
        f'schema:xsd:Invoice-2"><cbc:ID xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:'
        f'CommonBasicComponents-2">{number}</cbc:ID><Total>{total:.2f}</Total></ubl:Invoice>\n'
    ).encode()


def sniff(content: bytes) -> str | None:
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml"):
        return "application/xml"
    return None


E_INVOICE_ROOTS = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote",
    "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice",
}


def e_invoice(content: bytes) -> bool:
    """Well-formed XML whose root is a UBL invoice/credit note or a CII invoice (XRechnung syntaxes)."""
    from xml.etree import ElementTree

    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:  # e-invoices never need them; refuse entity tricks
        return False
    try:
        root = ElementTree.fromstring(content)  # noqa: S314 - no DTD reaches here, so no entity expansion
    except ElementTree.ParseError:
        return False
    return root.tag in E_INVOICE_ROOTS


def complete(content_type: str, content: bytes) -> bool:
    """Whole as a decoder sees it: data after an image's end (motion photos, vendor trailers) is fine, a file
    cut before its end is not."""
    if content_type == "application/pdf":
        return b"%%EOF" in content[-1024:]
    if content_type == "image/png":
        return png_end(content) is not None
    if content_type == "image/jpeg":
        return jpeg_end(content) is not None
    if content_type == "application/xml":
        return e_invoice(content)
    return True


def png_end(data: bytes) -> int | None:
    at = 8
    while at + 8 <= len(data):
        length, kind = int.from_bytes(data[at : at + 4], "big"), data[at + 4 : at + 8]
        at += 12 + length
        if at > len(data):
            return None
        if kind == b"IEND":
            return at
    return None


def jpeg_end(data: bytes) -> int | None:
    """Past the EOI of the first image: segments skipped by their length, entropy-coded data scanned."""
    at, size = 2, len(data)
    while at + 1 < size and data[at] == 0xFF:
        while at < size and data[at] == 0xFF:
            at += 1
        marker = data[at] if at < size else -1
        at += 1
        if marker == 0xD9:
            return at
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            continue
        length = int.from_bytes(data[at : at + 2], "big")
        if marker < 0 or length < 2:
            return None
        at += length
        while marker == 0xDA:
            at = data.find(b"\xff", at)
            if at < 0 or at + 1 >= size:
                return None
            if data[at + 1] == 0x00 or 0xD0 <= data[at + 1] <= 0xD7:
                at += 2
            elif data[at + 1] == 0xFF:
                at += 1
            else:
                break
    return None
