"""Contacts: pull from Lexoffice into the mirror (list pages carry full objects)."""

import copy
import uuid

from connections.mirror import bulk_upsert, mark_deleted, parse_uuid, upsert_one
from connections.models import Connection, OutboxEntry
from connections.progress import Progress
from connections.writes import EditConflict, WriteError, claimed_ids, operation, remember_created, submit
from contacts.models import Contact, contact_columns
from contacts.validation import READ_ONLY, flatten, validate_contact, writable
from lexoffice.client import Conflict, Lexoffice, NotFound, ValidationFailed

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


# --- writes ---------------------------------------------------------------------------------


def push_contact(*, connection: Connection, data: dict, user) -> Contact:
    """Create a contact in Lexoffice, then mirror it. Raises WriteError (incl. WriteQueued)."""
    payload = writable(data) | {"version": 0}
    payload.pop("archived", None)
    if errors := validate_contact(payload):
        raise WriteError("Please correct the marked fields.", errors)
    lexoffice_id = submit(connection=connection, user=user, operation_name="create_contact", payload=payload)
    return Contact.objects.get(connection=connection, lexoffice_id=lexoffice_id)


def update_contact(*, contact: Contact, data: dict, version: int, user) -> Contact:
    """Update with optimistic locking: `version` is the one the user edited. A concurrent remote
    change in other fields is merged; one in the same fields raises EditConflict."""
    payload = writable(data) | {"version": version}
    if errors := validate_contact(payload):
        raise WriteError("Please correct the marked fields.", errors)
    base = contact.raw if contact.version == version else None
    submit(
        connection=contact.connection,
        user=user,
        operation_name="update_contact",
        payload={"data": payload, "base": base},
        target_id=str(contact.lexoffice_id),
    )
    contact.refresh_from_db()
    return contact


def _find_created_contact(entry: OutboxEntry) -> str | None:
    """After a lost create response: the contact that matches our payload and nobody else claimed."""
    payload = entry.payload
    name = (payload.get("company") or {}).get("name") or (payload.get("person") or {}).get("lastName") or ""
    if len(name) < 3:
        return None
    client = entry.connection.client()
    wanted = comparable(payload)
    claimed = claimed_ids(entry)
    for candidate in client.iter_contacts(name=name):
        if candidate.get("id") in claimed:
            continue
        if comparable(candidate) == wanted:
            remember_created(entry, candidate["id"])
            store_contact(connection=entry.connection, data=candidate)
            return candidate["id"]
    return None


def comparable(data: dict) -> dict:
    """What identifies a contact's content: its fields without ids, versions and assigned numbers."""
    leaves = flatten(
        {key: value for key, value in data.items() if key not in (*READ_ONLY, "version", "archived", "roles")}
    )
    return leaves | {"roles": sorted((data.get("roles") or {}).keys())}


@operation("create_contact", lookup=_find_created_contact)
def _create_contact(entry: OutboxEntry) -> str:
    client = entry.connection.client()
    if not entry.lexoffice_id:
        result = client.create_contact(entry.payload)
        remember_created(entry, result["id"])
    store_contact(connection=entry.connection, data=client.contact(entry.lexoffice_id))
    return entry.lexoffice_id


@operation("update_contact")
def _update_contact(entry: OutboxEntry) -> str:
    client = entry.connection.client()
    data, base = entry.payload["data"], entry.payload.get("base")
    try:
        client.update_contact(entry.target_id, data)
    except (Conflict, ValidationFailed) as exc:
        if isinstance(exc, ValidationFailed) and "version" not in exc.field_errors:
            raise
        theirs = client.contact(entry.target_id)  # Lexoffice answers a stale version with 409 (or 406)
        merged = merge_edit(base=base, mine=data, theirs=theirs)
        if merged is not None:
            try:
                client.update_contact(entry.target_id, merged)
            except Conflict:
                raise EditConflict(mine=data, theirs=client.contact(entry.target_id), fields=["version"]) from None
    store_contact(connection=entry.connection, data=client.contact(entry.target_id))
    return entry.target_id


def merge_edit(*, base: dict | None, mine: dict, theirs: dict) -> dict | None:
    """Apply the user's changes (mine vs base) onto the current remote copy (theirs).

    None when theirs already holds every change. EditConflict when both sides changed a field
    differently, or when the base is unknown and the two differ."""
    m, t = flatten(_content(mine)), flatten(_content(theirs))
    if base is None:
        differing = sorted(path for path in m.keys() | t.keys() if m.get(path) != t.get(path))
        if differing:
            raise EditConflict(mine=mine, theirs=theirs, fields=differing)
        return None
    b = flatten(_content(base))
    mine_changed = {path for path in m.keys() | b.keys() if m.get(path) != b.get(path)}
    theirs_changed = {path for path in t.keys() | b.keys() if t.get(path) != b.get(path)}
    clashing = sorted(path for path in mine_changed & theirs_changed if m.get(path) != t.get(path))
    if clashing:
        raise EditConflict(mine=mine, theirs=theirs, fields=clashing)
    pending = [path for path in mine_changed if m.get(path) != t.get(path)]
    if not pending:
        return None
    merged = copy.deepcopy(writable(theirs))
    for path in pending:
        _set_path(merged, path, m.get(path), present=path in m)
    return merged


def _content(data: dict) -> dict:
    return {key: value for key, value in data.items() if key not in (*READ_ONLY, "version", "archived")}


def _set_path(target: dict, path: str, value: object, *, present: bool) -> None:
    *parents, leaf = path.split(".")
    for key in parents:
        target = target.setdefault(key, {})
    if present:
        target[leaf] = copy.deepcopy(value)
    else:
        target.pop(leaf, None)


def resolve_with_mine(*, base: dict | None, mine: dict, theirs: dict) -> dict:
    """The user's choice after a conflict: the current remote copy with every field the user
    changed (relative to the version they edited) set to their value. Without a base, every
    field of the form counts as the user's. The conflict screen signs the result; "Apply my edit to
    the current version" sends it with the current version."""
    result = copy.deepcopy(theirs)
    for key in ("id", "organizationId", "createdDate", "updatedDate", "version", "archived"):
        result.pop(key, None)
    leaves_mine = flatten({k: v for k, v in mine.items() if k not in ("version",)})
    leaves_base = flatten({k: v for k, v in (base or {}).items() if k not in ("version",)}) if base else None
    leaves_theirs = flatten(result)
    paths = leaves_mine.keys() | (leaves_base or leaves_theirs).keys()
    for path in paths:
        if leaves_base is not None and leaves_mine.get(path) == leaves_base.get(path):
            continue  # not the user's change
        _set_or_drop(result, path, leaves_mine.get(path), present=path in leaves_mine)
    return result


def _set_or_drop(target: dict, path: str, value: object, *, present: bool) -> None:
    # Unlike _set_path, a removal creates no empty parents, and a non-dict parent is replaced.
    *parents, leaf = path.split(".")
    for key in parents:
        child = target.get(key)
        if not isinstance(child, dict):
            if not present:
                return
            child = target[key] = {}
        target = child
    if present:
        target[leaf] = copy.deepcopy(value)
    else:
        target.pop(leaf, None)
