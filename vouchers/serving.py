"""Stored files (receipts, rendered documents, their previews) as HTTP responses, shown in the browser only when
that is safe."""

from typing import IO

from django.http import FileResponse

from vouchers.models import File
from vouchers.receipts.checks import sniff

# A document on our origin runs nothing and loads nothing: the sandbox gives it an opaque origin, so even a file
# that fools the check below cannot read the user's pages or cookies.
FILE_CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox"
SNIFF_BYTES = 16


def file_response(file: File, *, inline: bool) -> FileResponse:
    """`file` inline only if its bytes are a PDF, PNG or JPEG (the type Lexoffice stated is not trusted:
    it could say text/html, or the bytes could be an SVG); everything else as an opaque download."""
    return stored_response(file.content.open("rb"), filename=file.filename or str(file.lexoffice_id), inline=inline)


def stored_response(handle: IO[bytes], *, filename: str, inline: bool) -> FileResponse:
    head = handle.read(SNIFF_BYTES)
    handle.seek(0)
    sniffed = sniff(head)  # PDF/PNG/JPEG by magic bytes, else None
    shown = inline and sniffed is not None
    response = FileResponse(handle, as_attachment=not shown, filename=filename)
    response["Content-Type"] = sniffed or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    if shown:
        # The voucher page previews PDFs in an <iframe>: our own pages may frame it, no one else.
        response["Content-Security-Policy"] = f"{FILE_CONTENT_SECURITY_POLICY}; frame-ancestors 'self'"
        response["X-Frame-Options"] = "SAMEORIGIN"
    else:
        response["Content-Security-Policy"] = f"{FILE_CONTENT_SECURITY_POLICY}; frame-ancestors 'none'"
    return response
