"""What a receipt must pass before it is stored: size while streaming, type by content, safe name, no duplicate."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload, TemporaryFileUploadHandler
from django.utils.translation import gettext_noop

from connections.models import Connection
from connections.writes import WriteError
from vouchers.models import File, Upload

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # Lexoffice accepts 5,242,880 bytes and refuses one more
TYPES = {  # content type -> (extension, magic prefix)
    "application/pdf": ("pdf", b"%PDF-"),
    "image/png": ("png", b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": ("jpg", b"\xff\xd8\xff"),
}
XML_PREFIXES = (b"<?xml", b"\xef\xbb\xbf<?xml")


class UploadRejected(Exception):
    """Readable reason an upload is refused (status 400/413/415)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


class DuplicateUpload(WriteError):
    """The same bytes were uploaded to this connection before; `voucher` is where they went, if known yet."""

    status = 409

    def __init__(self, existing: File | Upload) -> None:
        super().__init__(gettext_noop("This file was uploaded before."))
        self.existing = existing
        self.voucher = existing.voucher


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    sha256: str
    safe_name: str


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Stops reading a request body as soon as a file passes the limit, so 10x the limit is never stored.

    Install before the body is read: `request.upload_handlers = [SizeLimitedUploadHandler(request)]`.
    """

    def __init__(self, request=None, limit: int = MAX_UPLOAD_BYTES) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received = start + len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


def install_size_limit(request, limit: int = MAX_UPLOAD_BYTES) -> None:
    handler: FileUploadHandler = SizeLimitedUploadHandler(request, limit)
    request.upload_too_large = False
    request.upload_handlers = [handler]


def check_upload(upload: UploadedFile, *, allow_xml: bool = False) -> CheckedFile:
    """Size, type by magic bytes and structural completeness; returns what to store."""
    if upload is None:
        raise UploadRejected(gettext_noop("Choose a file to upload."))
    if upload.size == 0:
        raise UploadRejected(gettext_noop("The file is empty."))
    if upload.size > MAX_UPLOAD_BYTES:
        raise UploadRejected(gettext_noop("The file is larger than 5 MB, Lexoffice's limit."), status=413)
    digest = hashlib.sha256()
    head = b""
    tail = b""
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        if not head:
            head = chunk[:16]
        digest.update(chunk)
        tail = (tail + chunk)[-1024:]
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            raise UploadRejected(gettext_noop("The file is larger than 5 MB, Lexoffice's limit."), status=413)
    upload.seek(0)
    content_type = sniff(head, allow_xml=allow_xml)
    if content_type is None:
        raise UploadRejected(
            gettext_noop("Only PDF, PNG and JPEG files can be uploaded (checked by content, not name)."), status=415
        )
    if not is_complete(content_type, tail):
        raise UploadRejected(gettext_noop("The file looks truncated or damaged."), status=400)
    extension = "xml" if content_type == "application/xml" else TYPES[content_type][0]
    return CheckedFile(content_type, extension, size, digest.hexdigest(), safe_filename(upload.name or "", extension))


def sniff(head: bytes, *, allow_xml: bool = False) -> str | None:
    for content_type, (_extension, magic) in TYPES.items():
        if head.startswith(magic):
            return content_type
    if allow_xml and head.startswith(XML_PREFIXES):
        return "application/xml"
    return None


def is_complete(content_type: str, tail: bytes) -> bool:
    if content_type == "application/pdf":
        return b"%%EOF" in tail
    if content_type == "image/png":
        return tail.endswith(b"IEND\xaeB`\x82")
    if content_type == "image/jpeg":
        return tail.rstrip(b"\x00").endswith(b"\xff\xd9")
    return True


def safe_filename(name: str, extension: str) -> str:
    """A display name with no path parts or control characters, ending in the sniffed extension."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"[^\w\- ]+", "_", stem).strip(" ._")[:100] or "upload"
    return f"{stem}.{extension}"


def refuse_duplicate(*, connection: Connection, sha256: str) -> None:
    """Raise DuplicateUpload if a file with these bytes is in the mirror or on its way (failed uploads do not count)."""
    existing = (
        File.objects.filter(connection=connection, sha256=sha256).select_related("voucher").first()
        or Upload.objects.filter(connection=connection, sha256=sha256)
        .exclude(state=Upload.State.FAILED)
        .select_related("voucher")
        .first()
    )
    if existing is not None:
        raise DuplicateUpload(existing)
