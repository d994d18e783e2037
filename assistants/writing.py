"""The write tools: the same guarded path as the REST API and the pages (local validation, the outbox of
connections/writes.py, the mirror updated from Lexoffice's answer, an audit row per push). Nothing here
deletes, voids or moves money."""

import base64
import binascii
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from assistants.principal import Principal
from assistants.reading import BadArgument, get_contact, get_voucher
from connections.models import Connection
from connections.writes import EditConflict, WriteError, WriteQueued
from contacts.models import Contact
from contacts.sync import push_contact, update_contact
from vouchers.models import Upload
from vouchers.receipts.sync import upload_receipt
from vouchers.sync import push_voucher

MAX_RECEIPT_BYTES = 5 * 1024 * 1024  # the receipt checks' own limit, refused here before decoding more


class Rejected(Exception):
    """The write was refused (by our checks or Lexoffice); `answer` says why, field by field."""

    def __init__(self, answer: dict[str, Any]) -> None:
        super().__init__(answer["message"])
        self.answer = answer


def target_connection(principal: Principal, connection: int | None) -> Connection:
    """The connection to write to: the one named, or the caller's only one."""
    if connection is None:
        if len(principal.connection_ids) != 1:
            raise BadArgument("Name the connection (its id, see connection_state): you see several or none.")
        connection = principal.connection_ids[0]
    if connection not in principal.connection_ids:
        raise BadArgument(f"No connection {connection} among yours.")
    return Connection.objects.get(pk=connection)


def guarded(write: Any) -> dict[str, Any]:
    """Run one write; a queued write is an answer (it will be sent), a refused one is Rejected."""
    try:
        return {"done": True, "record": write()}
    except WriteQueued as queued:
        return {"done": False, "queued": True, "message": queued.message}
    except EditConflict as conflict:
        raise Rejected(
            {"message": conflict.message, "conflict": True, "fields": conflict.fields, "theirs": conflict.theirs}
        ) from None
    except WriteError as refused:
        raise Rejected({"message": refused.message, "fieldErrors": refused.field_errors}) from None


def create_contact(principal: Principal, *, data: dict[str, Any], connection: int | None = None) -> dict[str, Any]:
    principal.require_write()
    target = target_connection(principal, connection)
    return guarded(
        lambda: get_contact(principal, contact_id=push_contact(connection=target, data=data, user=principal.user).pk)
    )


def change_contact(principal: Principal, *, contact_id: int, version: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Lexoffice's fields in `changes` replace the contact's (top level: e.g. note, emailAddresses); the
    version is the one read. A change upstream meanwhile in other fields is merged, in the same a conflict."""
    principal.require_write()
    contact = Contact.objects.filter(connection_id__in=principal.connection_ids, pk=contact_id).present().first()
    if contact is None:
        raise BadArgument(f"No contact {contact_id} in your connections.")
    data = {**(contact.raw or {}), **changes}
    return guarded(
        lambda: get_contact(
            principal,
            contact_id=update_contact(contact=contact, data=data, version=version, user=principal.user).pk,
        )
    )


def create_voucher(principal: Principal, *, data: dict[str, Any], connection: int | None = None) -> dict[str, Any]:
    principal.require_write()
    target = target_connection(principal, connection)
    return guarded(
        lambda: get_voucher(principal, voucher_id=push_voucher(connection=target, data=data, user=principal.user).pk)
    )


def send_receipt(
    principal: Principal, *, filename: str, content_base64: str, connection: int | None = None, force: bool = False
) -> dict[str, Any]:
    """Upload a receipt (PDF, PNG, JPEG; base64) for bookkeeping: Lexoffice makes a voucher of it. The same
    checks as the upload page (type by content, size, duplicates by SHA-256 unless `force`)."""
    principal.require_write()
    target = target_connection(principal, connection)
    if len(content_base64) > (MAX_RECEIPT_BYTES * 4) // 3 + 4:
        raise BadArgument("The file is larger than 5 MiB.")
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise BadArgument("content_base64 is not base64.") from None
    upload = SimpleUploadedFile(filename[:200] or "receipt", content)

    def send() -> dict[str, Any]:
        row = upload_receipt(connection=target, upload=upload, user=principal.user, force=force)
        if row.state == Upload.State.FAILED:
            raise WriteError(row.error or "Lexoffice refused the file.", status=400)
        return {
            "upload": row.pk,
            "state": row.state,
            "voucherId": row.voucher_id,
            "message": "Lexoffice has the file; its voucher appears once Lexoffice has read it."
            if row.voucher_id is None
            else "Lexoffice made a voucher of the file.",
        }

    return guarded(send)
