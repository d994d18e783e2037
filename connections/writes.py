"""The write path's shared parts: errors users see, the outbox that never loses a write, the audit log.

A write is validated locally, stored as an OutboxEntry, then pushed at once. When Lexoffice
cannot take it now (unreachable, rate limited, 5xx) the entry stays pending and a task pushes it
later. A POST whose outcome is unknown (timeout, 504, dropped connection) is never repeated
blindly: the next attempt first looks for the record the lost response would have named.
"""

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from connections import changes, leases
from connections.models import AuditLog, Connection, OutboxEntry
from lexoffice.client import (
    AuthenticationError,
    Conflict,
    LexofficeError,
    MaybeExecuted,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

log = logging.getLogger(__name__)

OUTBOX_LOCK = timedelta(seconds=120)
OUTBOX_MAX_ATTEMPTS = 20


class WriteError(Exception):
    """A write that cannot be done as asked. `message` and `field_errors` are safe to show."""

    status = 400

    def __init__(
        self, message: str, field_errors: dict[str, list[str]] | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
        if status is not None:
            self.status = status


class EditConflict(WriteError):
    """Someone changed the record upstream in the same fields; both versions are returned."""

    status = 409

    def __init__(self, mine: dict, theirs: dict, fields: list[str]) -> None:
        super().__init__(
            "This record was changed in Lexoffice while you were editing it: " + ", ".join(fields[:8]) + ".",
        )
        self.mine, self.theirs, self.fields = mine, theirs, fields


class WriteQueued(WriteError):
    """Lexoffice cannot take the write now; it is stored and will be sent automatically."""

    status = 202

    def __init__(self, entry: OutboxEntry, reason: str) -> None:
        super().__init__(
            f"Lexoffice is not reachable right now ({reason}). Your change is saved and will be sent automatically."
        )
        self.entry = entry


def from_lexoffice(exc: LexofficeError) -> WriteError:
    """Translate a Lexoffice error into what the user can act on."""
    if isinstance(exc, ValidationFailed):
        return WriteError(exc.message or "Lexoffice rejected the data.", exc.field_errors, status=400)
    if isinstance(exc, NotFound):
        return WriteError("The record does not exist in Lexoffice (any more).", status=404)
    if isinstance(exc, Conflict):
        return WriteError(exc.message or "Lexoffice reports a conflict with the record's state.", status=409)
    if isinstance(exc, AuthenticationError):
        return WriteError("Lexoffice no longer accepts this connection's API key. Replace the key.", status=502)
    if isinstance(exc, PermissionDenied):
        return WriteError("The Lexoffice plan or the key's scopes do not allow this action.", status=403)
    return WriteError(f"Lexoffice answered with an error ({exc.status or 'no response'}).", status=502)


def payload_hash(payload: object) -> str:
    if isinstance(payload, bytes):
        return hashlib.sha256(payload).hexdigest()
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def printable(text: object, limit: int) -> str:
    """Text safe to store and show: control characters (NUL included) replaced, length capped."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in str(text or ""))[:limit]


def audit(
    *,
    connection: Connection | None,
    user: Any,  # the request\'s user (anonymous or None allowed)
    action: str,
    method: str,
    path: str,
    payload: object,
    status: int | None,
    result: str,
    lexoffice_id: str = "",
    message: str = "",
) -> None:
    AuditLog.objects.create(
        connection=connection,
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        method=printable(method, 10),
        path=printable(path, 500),
        payload_sha256=payload_hash(payload) if payload is not None else "",
        status=status,
        result=result,
        lexoffice_id=printable(lexoffice_id, 64),
        message=printable(message, 2000),
    )


# --- outbox ---------------------------------------------------------------------------------

# operation name -> (push function, lookup function). push(entry) -> lexoffice id (after updating the
# mirror); lookup(entry) -> lexoffice id of an already executed create, or None.
Pusher = Callable[[OutboxEntry], str]
Finder = Callable[[OutboxEntry], str | None]
OPERATIONS: dict[str, tuple[Pusher, Finder | None]] = {}


def operation(name: str, *, lookup: Finder | None = None) -> Callable[[Pusher], Pusher]:
    def register(push: Pusher) -> Pusher:
        OPERATIONS[name] = (push, lookup)
        return push

    return register


def enqueue_write(
    *, connection: Connection, user: Any, operation_name: str, payload: dict, target_id: str = ""
) -> OutboxEntry:
    return OutboxEntry.objects.create(
        connection=connection,
        user=user if user is not None and user.is_authenticated else None,
        operation=operation_name,
        payload=payload,
        target_id=target_id,
        idempotency_key=uuid.uuid4(),
    )


def claimed_ids(entry: OutboxEntry) -> set[str]:
    """The Lexoffice ids the connection's other writes created: a lookup after a lost response (an
    operation's `lookup`) must not take one of them for its own."""
    return set(
        OutboxEntry.objects.filter(connection=entry.connection)
        .exclude(pk=entry.pk)
        .exclude(lexoffice_id="")
        .values_list("lexoffice_id", flat=True)
    )


def remember_created(entry: OutboxEntry, lexoffice_id: str) -> None:
    """Record a create's Lexoffice id at once (committed), so a retry after a crash re-fetches it
    instead of creating a duplicate."""
    OutboxEntry.objects.filter(pk=entry.pk).update(lexoffice_id=lexoffice_id)
    entry.lexoffice_id = lexoffice_id


def claim_entry(entry_id: int) -> OutboxEntry | None:
    pending = OutboxEntry.objects.filter(pk=entry_id, state=OutboxEntry.State.PENDING)
    if not leases.claim(pending, field="locked_until", lease=OUTBOX_LOCK, attempts=F("attempts") + 1):
        return None
    return OutboxEntry.objects.select_related("connection", "user").get(pk=entry_id)


def _audit_failure(
    entry: OutboxEntry, exc: LexofficeError, *, result: str, method: str = "", message: str | None = None
) -> None:
    audit(
        connection=entry.connection,
        user=entry.user,
        action=entry.operation,
        method=method,
        path=str(exc.path),
        payload=entry.payload,
        status=exc.status,
        result=result,
        message=str(exc) if message is None else message,
    )


def push_entry(entry: OutboxEntry) -> str:
    """Send one claimed entry. Returns the Lexoffice id; raises WriteError (queued or final)."""
    push, lookup = OPERATIONS[entry.operation]
    action = entry.operation
    try:
        # A previous attempt may have executed without us learning the result: look before posting.
        existing = lookup(entry) if lookup and entry.attempts > 1 else None
        lexoffice_id = existing or push(entry)
    except MaybeExecuted as exc:
        _release(entry, error=str(exc))
        _audit_failure(entry, exc, result="unknown", method="POST", message="response lost; will look up")
        raise WriteQueued(entry, "response lost") from None
    except LexofficeError as exc:
        if exc.retryable:
            _release(entry, error=str(exc))
            _audit_failure(entry, exc, result="queued")
            raise WriteQueued(entry, "rate limited" if exc.status == 429 else "unreachable") from None
        _fail(entry, error=str(exc))
        _audit_failure(entry, exc, result="rejected")
        raise from_lexoffice(exc) from None
    except WriteError as exc:
        _fail(entry, error=exc.message)
        raise
    OutboxEntry.objects.filter(pk=entry.pk).update(
        state=OutboxEntry.State.SENT, sent_at=timezone.now(), lexoffice_id=lexoffice_id, locked_until=None, error=""
    )
    audit(
        connection=entry.connection,
        user=entry.user,
        action=action,
        method="",
        path="",
        payload=entry.payload,
        status=200,
        result="sent" if not existing else "found",
        lexoffice_id=lexoffice_id,
    )
    return lexoffice_id


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def submit(*, connection: Connection, user: Any, operation_name: str, payload: dict, target_id: str = "") -> str:
    """Store the write, then push it now; WriteQueued when it has to wait for Lexoffice."""
    if _has_nul(payload):
        raise WriteError("Text must not contain NUL characters.", status=400)
    with transaction.atomic():
        entry = enqueue_write(
            connection=connection, user=user, operation_name=operation_name, payload=payload, target_id=target_id
        )
    claimed = claim_entry(entry.pk)
    if claimed is None:  # a sweeper took it between our commit and our claim: it is being sent
        raise WriteQueued(entry, "another worker is sending it")
    try:
        return push_entry(claimed)
    except WriteQueued:
        schedule_push(entry.pk, countdown=5)
        raise


def schedule_push(entry_id: int, countdown: int = 0) -> None:
    from connections.tasks import push_outbox_entry_task

    try:
        push_outbox_entry_task.apply_async((entry_id,), countdown=countdown)
    except Exception as exc:  # broker down: the sweeper sends it later
        log.warning("outbox entry %s not enqueued (%s)", entry_id, type(exc).__name__)


def _release(entry: OutboxEntry, *, error: str) -> None:
    state = OutboxEntry.State.FAILED if entry.attempts >= OUTBOX_MAX_ATTEMPTS else OutboxEntry.State.PENDING
    OutboxEntry.objects.filter(pk=entry.pk).update(locked_until=None, error=error[:2000], state=state)
    if state == OutboxEntry.State.FAILED:
        _announce_failure(entry, error=error)


def _fail(entry: OutboxEntry, *, error: str) -> None:
    OutboxEntry.objects.filter(pk=entry.pk).update(
        state=OutboxEntry.State.FAILED, locked_until=None, error=error[:2000]
    )
    _announce_failure(entry, error=error)


def _announce_failure(entry: OutboxEntry, *, error: str) -> None:
    changes.notify(
        connection_id=entry.connection_id,
        event_type="write.failed",
        data={
            "outboxEntry": entry.pk,
            "operation": entry.operation,
            "targetId": entry.target_id,
            "error": printable(error, 2000),
        },
    )


def sweep_outbox() -> int:
    """Re-enqueue pending entries whose lock is free (worker died, broker lost the message)."""
    now = timezone.now()
    ids = list(
        OutboxEntry.objects.pending()
        .filter(leases.free("locked_until", now))
        .filter(created_at__lt=now - timedelta(seconds=10))
        .values_list("pk", flat=True)[:500]
    )
    for entry_id in ids:
        schedule_push(entry_id)
    return len(ids)


def process_entry(entry_id: int) -> str | None:
    """Task body: claim and push one entry; transient failures leave it pending for the next try."""
    entry = claim_entry(entry_id)
    if entry is None:
        return None
    try:
        return push_entry(entry)
    except WriteQueued:
        raise
    except WriteError as exc:
        log.info("outbox entry %s rejected by Lexoffice: %s", entry_id, exc.message)
        return None
