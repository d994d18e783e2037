"""Files (§14): multipart uploads with Lexoffice's checks, downloads with the Accept matrix."""

import threading

from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Request, Response

from sandbox import documents, vouchers
from sandbox.errors import ApiError, invalid, legacy, regular
from sandbox.store import Organization, StoredFile, stamp

MAX_BYTES = 5 * 1024 * 1024
EXTENSIONS = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "xml": "application/xml",
}
ACCEPTABLE = ("*/*", "application/pdf", "application/xml", "image/png", "image/jpeg")
BAD_CONTENT_KEYS = {
    "application/pdf": "voucher_upload_toxic_pdf",
    "image/png": "image_conversion_error",
    "image/jpeg": "image_conversion_error",
    "application/xml": "invalid_xrechnung",
}


def read_upload(request: Request, org: Organization) -> tuple[bytes, str, str]:
    """(content, content type, filename) of the `file` part, or the error Lexoffice gives."""
    if not (request.mimetype or "").startswith("multipart/form-data"):
        raise ApiError(415, {"message": "Unsupported Media Type"})
    upload: FileStorage | None = request.files.get("file")
    if upload is None:
        raise ApiError(500, None)  # Lexoffice answers a missing file part with a bare 500
    content = upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise invalid(406, "file", "max_file_size_exceeded")
    filename = upload.filename or ""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    declared = EXTENSIONS.get(extension)
    if declared is None or (declared == "application/xml" and not org.e_invoice):
        raise invalid(406, "file", "inacceptable_file_extension")
    actual = documents.sniff(content)
    if not content or actual is None or actual != declared or not documents.complete(actual, content):
        raise invalid(406, "file", BAD_CONTENT_KEYS[declared])
    return content, actual, filename


def upload_for_bookkeeping(request: Request, org: Organization, emit) -> dict:
    if request.form.get("type") != "voucher":
        raise legacy(400, ("type", "Invalid or missing upload type.", "bad_request_error"))
    content, content_type, filename = read_upload(request, org)
    existing = org.file_by_checksum(_checksum(content))
    if existing is not None and existing.voucher_id in org.vouchers:
        return {"id": existing.id, "voucherId": existing.voucher_id}
    stored = org.add_file(content, content_type, filename)
    voucher = vouchers.new_blank(org, stored.id)
    stored.voucher_id = voucher["id"]
    if org.ocr_delay > 0:  # `blank` while "OCR" runs; voucher.created fires when it becomes `unchecked` (§14.1)
        voucher["voucherStatus"] = "blank"
        timer = threading.Timer(org.ocr_delay, _recognized, (org, voucher["id"], emit))
        timer.daemon = True
        timer.start()
    else:
        emit(org, "voucher.created", voucher["id"])
    return {"id": stored.id, "voucherId": voucher["id"]}


def _recognized(org: Organization, voucher_id: str, emit) -> None:
    with org.lock:
        voucher = org.vouchers.get(voucher_id)
        if voucher is None or voucher["voucherStatus"] != "blank":
            return
        voucher["voucherStatus"] = "unchecked"
        stamp(voucher)
    emit(org, "voucher.created", voucher_id)


def attach_to_voucher(request: Request, org: Organization, voucher_id: str, emit) -> dict:
    voucher = org.vouchers.get(voucher_id)
    if voucher is None:
        raise invalid(404, "id", "not_found")
    content, content_type, filename = read_upload(request, org)
    checksum = _checksum(content)
    for file_id in voucher.get("files") or []:
        if file_id in org.files and org.files[file_id].checksum == checksum:
            return {"id": file_id}
    stored = org.add_file(content, content_type, filename, voucher_id)
    voucher.setdefault("files", []).append(stored.id)
    stamp(voucher)
    emit(org, "voucher.changed", voucher_id)
    return {"id": stored.id}


def download(org: Organization, file_id: str, accept: str) -> Response:
    stored = org.files.get(file_id)
    if stored is None:
        raise invalid(404, "id", "not_found")
    wanted = _accept(accept)
    if wanted is None:
        raise ApiError(406, {"message": "Not Acceptable"})
    if stored.xml is not None or stored.content_type == "application/xml":
        xml = stored.xml if stored.xml is not None else stored.content
        if wanted in ("*/*", "application/xml") and (
            stored.content_type == "application/xml" or wanted == "application/xml"
        ):
            return _binary(xml, "application/xml;charset=UTF-8", f"{stored.id}.xml", "inline")
        pdf = stored.content if stored.content_type == "application/pdf" else documents.pdf(["E-Rechnung"])
        return _binary(pdf, "application/pdf", f"{stored.id}.pdf", "inline")
    if wanted == "application/xml":
        raise invalid(404, "id", "not_found")
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[stored.content_type]
    return _binary(stored.content, stored.content_type, f"{stored.id}.{extension}", "inline")


def download_document(org: Organization, document: dict, accept: str, path: str) -> Response:
    from sandbox.sales import render

    if document["voucherStatus"] == "draft" and document["_kind"] != "dunning":  # dunnings stay drafts, yet print
        raise regular(
            409, path, f"The voucher {document['id']} is in status 'draft' and therefore cannot be downloaded"
        )
    wanted = _accept(accept)
    if wanted is None or wanted.startswith("image/"):
        raise regular(406, path, "Not Acceptable")
    stored: StoredFile = org.files[render(org, document)]
    e_invoice = document.get("electronicDocumentProfile") == "XRechnung"
    if wanted == "application/xml" or (wanted == "*/*" and e_invoice):
        if not e_invoice:
            raise regular(404, path, "No XML document available")
        return _binary(
            stored.xml, "application/xml;charset=UTF-8", stored.filename.replace(".pdf", ".xml"), "attachment"
        )
    return _binary(stored.content, "application/pdf", stored.filename, "attachment")


def _accept(header: str) -> str | None:
    value = (header or "*/*").split(",")[0].split(";")[0].strip().lower()
    return value if value in ACCEPTABLE else None


def _checksum(content: bytes) -> str:
    import hashlib

    return hashlib.sha256(content).hexdigest()


def _binary(content: bytes, content_type: str, filename: str, disposition: str) -> Response:
    return Response(
        content,
        status=200,
        headers={
            "Content-Type": content_type,
            "Content-Length": str(len(content)),
            "Content-Disposition": f"{disposition}; filename={filename};",
        },
    )
