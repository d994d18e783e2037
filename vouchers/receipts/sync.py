"""Receipt uploads to Lexoffice: checked, stored, sent (or left pending for the sweeper), followed to their voucher.

An Upload row is the lifecycle: pending (stored, Lexoffice not reached yet) -> uploaded (Lexoffice has the file,
its voucher may still be in OCR) -> linked (the voucher is in the mirror), or failed (Lexoffice refused it).
The step to linked happens wherever a voucher is stored (vouchers.sync.link_files), after the upload or on the
voucher.created webhook.
"""

import contextlib
import logging
import uuid
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from connections import changes
from connections.models import Connection
from connections.writes import WriteError, audit, from_lexoffice
from lexoffice.client import Lexoffice, LexofficeError
from vouchers import hooks
from vouchers.models import File, Upload, Voucher
from vouchers.previews.service import request_preview
from vouchers.receipts.checks import CheckedFile, UploadRejected, check_upload, refuse_duplicate
from vouchers.sync import refresh_voucher

log = logging.getLogger(__name__)
ORIGINAL_EXTENSIONS = {"image/heif": "heic", "image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def upload_receipt(*, connection: Connection, upload: UploadedFile, user, force: bool = False) -> Upload:
    """Upload a receipt for bookkeeping (Lexoffice creates a voucher for it); duplicates refused unless forced."""
    row = store_receipt(connection=connection, upload=upload, user=user, force=force)
    push_upload(upload_id=row.pk)
    row.refresh_from_db()
    return row


def store_receipt(*, connection: Connection, upload: UploadedFile, user, force: bool = False) -> Upload:
    """The checks and the pending Upload row of `upload_receipt`, without sending it: for doors (mail, watched
    folders) that record the row in their own transaction first and then call `push_upload`."""
    checked = _checked(upload)
    keepers = _recognised(connection=connection, upload=upload, checked=checked, force=force)
    if not force:
        refuse_duplicate(connection=connection, sha256=checked.sha256, original_sha256=checked.original_sha256)
    with transaction.atomic():
        row = _store_upload(connection=connection, upload=upload, checked=checked, user=user)
        for keep in keepers:
            keep(row)
    return row


def attach_voucher_file(*, voucher: Voucher, upload: UploadedFile, user) -> Upload:
    """Add a file to an existing bookkeeping voucher."""
    if not voucher.is_bookkeeping:
        raise WriteError("Files can only be added to bookkeeping vouchers.", status=400)
    checked = _checked(upload)
    keepers = _recognised(connection=voucher.connection, upload=upload, checked=checked, force=True)
    with transaction.atomic():
        row = _store_upload(
            connection=voucher.connection, upload=upload, checked=checked, user=user, target_voucher=voucher
        )
        for keep in keepers:
            keep(row)
    push_upload(upload_id=row.pk)
    row.refresh_from_db()
    return row


def _checked(upload: UploadedFile) -> CheckedFile:
    try:
        return check_upload(upload, allow_xml=bool(hooks.file_recognisers))
    except UploadRejected as exc:
        raise WriteError(exc.message, {"file": [exc.message]}, status=exc.status) from None


def _recognised(
    *, connection: Connection, upload: UploadedFile, checked: CheckedFile, force: bool
) -> list[Callable[[Upload], None]]:
    """Ask the registered recognisers (e-invoices) about the file; XML nobody claims is refused."""
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    keepers = [
        keep
        for recognise in hooks.file_recognisers
        if (keep := recognise(connection=connection, content=content, content_type=checked.content_type, force=force))
    ]
    if checked.content_type == "application/xml" and not keepers:
        message = "Only PDF, PNG and JPEG files, or e-invoice XML, can be uploaded."
        raise WriteError(message, {"file": [message]}, status=415)
    return keepers


def _store_upload(
    *, connection: Connection, upload: UploadedFile, checked: CheckedFile, user, target_voucher: Voucher | None = None
) -> Upload:
    row = Upload(
        connection=connection,
        user=user if user and user.is_authenticated else None,
        original_name=checked.safe_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        target_voucher=target_voucher,
        original_content_type=checked.original_content_type,
        original_sha256=checked.original_sha256,
        original_size=checked.original_size,
        changes=",".join(checked.changes),
    )
    stem = uuid.uuid4().hex  # never the user's name
    row.content.save(f"{stem}.{checked.extension}", ContentFile(checked.content), save=False)
    if checked.converted:
        upload.seek(0)
        row.original.save(f"{stem}.{ORIGINAL_EXTENSIONS.get(checked.original_content_type, 'bin')}", upload, save=False)
    row.save()
    return row


def push_upload(*, upload_id: int) -> Upload | None:
    """Send a stored upload to Lexoffice. Safe to repeat: Lexoffice de-duplicates identical content."""
    row = (
        Upload.objects.select_related("connection", "target_voucher")
        .filter(pk=upload_id, state=Upload.State.PENDING)
        .first()
    )
    if row is None:
        return None
    Upload.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
    client = row.connection.client()
    path = f"/v1/vouchers/{row.target_voucher.lexoffice_id}/files" if row.target_voucher else "/v1/files"
    try:
        with row.content.open("rb") as fileobj:
            if row.target_voucher:
                result = client.upload_voucher_file(
                    str(row.target_voucher.lexoffice_id),
                    filename=row.original_name,
                    fileobj=fileobj,
                    content_type=row.content_type,
                )
            else:
                result = client.upload_file(filename=row.original_name, fileobj=fileobj, content_type=row.content_type)
    except LexofficeError as exc:
        transient = exc.retryable
        Upload.objects.filter(pk=row.pk).update(
            state=Upload.State.PENDING if transient else Upload.State.FAILED,
            error=str(exc) if transient else from_lexoffice(exc).message,
        )
        audit(
            connection=row.connection,
            user=row.user,
            action="upload_file",
            method="POST",
            path=path,
            payload=row.sha256,
            status=exc.status,
            result="queued" if transient else "rejected",
            message=str(exc),
        )
        if transient:
            _schedule_upload(row.pk)
        return row
    _record_uploaded(row, file_id=result["id"], voucher_id=result.get("voucherId"), client=client)
    audit(
        connection=row.connection,
        user=row.user,
        action="upload_file",
        method="POST",
        path=path,
        payload=row.sha256,
        status=202,
        result="sent",
        lexoffice_id=result["id"],
    )
    return row


def _record_uploaded(row: Upload, *, file_id: str, voucher_id: str | None, client: Lexoffice) -> None:
    target = row.target_voucher
    with transaction.atomic():
        file, _ = File.objects.update_or_create(
            connection=row.connection,
            lexoffice_id=uuid.UUID(file_id),
            defaults={
                "filename": row.original_name,
                "content_type": row.content_type,
                "size": row.size,
                "sha256": row.sha256,
                "content": row.content.name,
                "fetched_at": timezone.now(),
                **({"voucher": target} if target else {}),
            },
        )
        Upload.objects.filter(pk=row.pk).update(state=Upload.State.UPLOADED, file=file, error="")
        changes.notify(
            connection_id=row.connection_id,
            event_type="receipt.uploaded",
            data={"upload": row.pk, "fileLexofficeId": str(file.lexoffice_id), "filename": row.original_name},
        )
        request_preview(file)
    lexoffice_voucher_id = str(target.lexoffice_id) if target else voucher_id
    if lexoffice_voucher_id:
        # The voucher may still be in OCR (blank); its voucher.created webhook links it later if this misses.
        with contextlib.suppress(LexofficeError):
            refresh_voucher(connection=row.connection, lexoffice_id=lexoffice_voucher_id, client=client)


def _schedule_upload(upload_id: int) -> None:
    from vouchers.tasks import push_upload_task  # tasks import this module

    try:
        push_upload_task.apply_async((upload_id,), countdown=10)
    except Exception as exc:  # broker down: the sweeper re-sends pending uploads
        log.warning("upload %s not enqueued (%s)", upload_id, type(exc).__name__)
