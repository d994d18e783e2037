"""Contacts: pull from Lexoffice into the mirror (list pages carry full objects)."""

import uuid

from contacts.models import Contact, contact_columns
from lexhub.lexoffice import Lexoffice, NotFound
from lexhub.mirror import bulk_upsert, mark_deleted, parse_uuid, upsert_one
from lexhub.models import Connection
from lexhub.progress import Progress

PAGE_SIZE = 250


def contact_fields(data: dict) -> dict:
    return {
        **contact_columns(data),
        "version": data.get("version"),
        "archived": bool(data.get("archived")),
        "raw": data,
    }


def pull_contacts(*, connection: Connection, client: Lexoffice, progress: Progress) -> set[uuid.UUID]:
    """Walk every contacts page and upsert it; return the ids seen (for deletion detection)."""
    seen: set[uuid.UUID] = set()
    page = 0
    while True:
        envelope = client.contacts(page=page, size=PAGE_SIZE)
        if page == 0:
            progress.phase("contacts", total=envelope.get("totalElements") or 0)
        rows = {}
        for item in envelope.get("content") or []:
            lexoffice_id = parse_uuid(item.get("id"))
            if lexoffice_id is None:
                progress.error("contacts")
                continue
            rows[lexoffice_id] = contact_fields(item)
        for outcome in bulk_upsert(model=Contact, connection=connection, rows=rows).values():
            progress.count("contacts", outcome)
        seen |= set(rows)
        if envelope.get("last", True) or not envelope.get("content"):
            return seen
        page += 1


def store_contact(*, connection: Connection, data: dict) -> tuple[Contact, str]:
    """Upsert one contact from a full Lexoffice object (a GET or a write's re-fetch)."""
    lexoffice_id = uuid.UUID(data["id"])
    outcome = upsert_one(model=Contact, connection=connection, lexoffice_id=lexoffice_id, fields=contact_fields(data))
    return Contact.objects.get(connection=connection, lexoffice_id=lexoffice_id), outcome


def refresh_contact(*, connection: Connection, lexoffice_id: str, client: Lexoffice) -> str:
    """Re-fetch one contact (webhook path); a 404 marks it deleted upstream."""
    try:
        data = client.contact(lexoffice_id)
    except NotFound:
        mark_deleted(model=Contact, connection=connection, lexoffice_ids=[uuid.UUID(lexoffice_id)])
        return "deleted"
    return store_contact(connection=connection, data=data)[1]
