"""What a receipt must pass before it is stored: size while streaming, type by content, safe name, no duplicate."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload, TemporaryFileUploadHandler
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from connections.models import Connection
from connections.writes import WriteError
from vouchers.documents import formats
from vouchers.documents.prepare import SEND_LIMIT, DocumentRefused, Prepared, prepare
from vouchers.models import File, Upload

MAX_UPLOAD_BYTES = SEND_LIMIT  # what Lexoffice takes (5,242,880 bytes)
# What Lexhub receives: a phone photo over 5 MiB is made to fit before it is sent (vouchers.documents)
MAX_RECEIVED_BYTES = 20 * 1024 * 1024
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
    """What is sent (`content`, possibly converted) and what was received (`original_*`)."""

    content_type: str
    extension: str
    size: int
    sha256: str
    safe_name: str
    content: bytes = b""
    original_content_type: str = ""
    original_sha256: str = ""
    original_size: int = 0
    changes: tuple[str, ...] = ()

    @property
    def converted(self) -> bool:
        return self.original_sha256 != self.sha256


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Stops reading a request body as soon as a file passes the limit, so 10x the limit is never stored.

    Install before the body is read: `request.upload_handlers = [SizeLimitedUploadHandler(request)]`.
    """

    def __init__(self, request=None, limit: int = MAX_RECEIVED_BYTES) -> None:
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


def install_size_limit(request, limit: int = MAX_RECEIVED_BYTES) -> None:
    handler: FileUploadHandler = SizeLimitedUploadHandler(request, limit)
    request.upload_too_large = False
    request.upload_handlers = [handler]


def check_upload(upload: UploadedFile, *, allow_xml: bool = False) -> CheckedFile:
    """Size, type by content, decoded or parsed whole; returns what to send and what was received."""
    if upload is None:
        raise UploadRejected(_("Choose a file to upload."))
    if upload.size == 0:
        raise UploadRejected(_("The file is empty."))
    if upload.size > MAX_RECEIVED_BYTES:
        raise UploadRejected(received_too_large(), status=413)
    upload.seek(0)
    data = upload.read(MAX_RECEIVED_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_RECEIVED_BYTES:
        raise UploadRejected(received_too_large(), status=413)
    original_sha256 = hashlib.sha256(data).hexdigest()
    if allow_xml and data.startswith(XML_PREFIXES):
        prepared = Prepared(data, "application/xml", "xml", ())
        if len(data) > MAX_UPLOAD_BYTES:
            raise UploadRejected(_("The file is larger than 5 MB, Lexoffice's limit."), status=413)
    else:
        try:
            prepared = prepare(data)
        except DocumentRefused as exc:
            raise UploadRejected(exc.message, exc.status) from None
    sent_sha256 = original_sha256 if prepared.content is data else hashlib.sha256(prepared.content).hexdigest()
    return CheckedFile(
        content_type=prepared.content_type,
        extension=prepared.extension,
        size=len(prepared.content),
        sha256=sent_sha256,
        safe_name=safe_filename(upload.name or "", prepared.extension),
        content=prepared.content,
        original_content_type=sniff_any(data[:16]),
        original_sha256=original_sha256,
        original_size=len(data),
        changes=prepared.changes,
    )


def received_too_large() -> str:
    return _("The file is larger than 20 MB, the most Lexhub accepts.")


def sniff_any(head: bytes) -> str:
    return formats.sniff(head) or ("application/xml" if head.startswith(XML_PREFIXES) else "")


def sniff(head: bytes, *, allow_xml: bool = False) -> str | None:
    for content_type, (_extension, magic) in TYPES.items():
        if head.startswith(magic):
            return content_type
    if allow_xml and head.startswith(XML_PREFIXES):
        return "application/xml"
    return None


def safe_filename(name: str, extension: str) -> str:
    """A display name with no path parts or control characters, ending in the sniffed extension."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"[^\w\- ]+", "_", stem).strip(" ._")[:100] or "upload"
    return f"{stem}.{extension}"


def refuse_duplicate(*, connection: Connection, sha256: str, original_sha256: str = "") -> None:
    """Raise DuplicateUpload if a file with these bytes is in the mirror or on its way (failed uploads do not count).
    `original_sha256`: the received bytes, when they were converted before sending."""
    same = Q(sha256=sha256) | Q(original_sha256=original_sha256 or sha256)
    existing = (
        File.objects.filter(connection=connection, sha256=sha256).select_related("voucher").first()
        or Upload.objects.filter(same, connection=connection)
        .exclude(state=Upload.State.FAILED)
        .select_related("voucher")
        .first()
    )
    if existing is not None:
        raise DuplicateUpload(existing)
