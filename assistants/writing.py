"""The write tools: the same guarded path as the REST API and the pages (local validation, the outbox of
connections/writes.py, the mirror updated from Lexoffice's answer, an audit row per push). Nothing here
deletes, voids or moves money."""

from typing import Any

from assistants.principal import Principal
from assistants.reading import BadArgument, get_contact, get_voucher
from connections.models import Connection
from connections.writes import EditConflict, WriteError, WriteQueued
from contacts.models import Contact
from contacts.sync import push_contact, update_contact
from vouchers.sync import push_voucher


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
