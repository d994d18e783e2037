"""Pieces every mirrored model shares: the key (connection, Lexoffice id), freshness guard, scoping."""

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from connections import generations
from connections.changes import CHANGED, CREATED, DELETED, record_changes

if TYPE_CHECKING:
    from connections.models import Connection


class MirrorQuerySet(models.QuerySet):
    def visible_to(self, user: "AbstractBaseUser | AnonymousUser") -> "MirrorQuerySet":
        from connections.models import Connection

        return self.filter(connection__in=Connection.objects.visible_to(user))

    def present(self) -> "MirrorQuerySet":
        return self.filter(deleted_upstream_at__isnull=True)


class MirroredModel(models.Model):
    """A local copy of one Lexoffice record; `raw` is the last fetched JSON, verbatim."""

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="+")
    lexoffice_id = models.UUIDField()
    version = models.IntegerField(null=True, blank=True)
    remote_updated_at = models.DateTimeField(null=True, blank=True, db_index=True)
    remote_created_at = models.DateTimeField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    raw = models.JSONField(default=dict, blank=True)
    synced_at = models.DateTimeField(auto_now=True)
    deleted_upstream_at = models.DateTimeField(null=True, blank=True)

    objects = MirrorQuerySet.as_manager()

    class Meta:
        abstract = True


def is_older(
    *,
    incoming_version: int | None,
    incoming_updated: datetime | None,
    stored_version: int | None,
    stored_updated: datetime | None,
) -> bool:
    """True when the incoming copy is older than the stored one and must not overwrite it."""
    if incoming_version is not None and stored_version is not None and incoming_version != stored_version:
        return incoming_version < stored_version
    if incoming_updated is not None and stored_updated is not None:
        return incoming_updated < stored_updated
    return False


def parse_datetime(value: object) -> datetime | None:
    """Lexoffice datetimes (`2024-03-01T00:00:00.000+01:00`); None for absent or unparseable values."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def parse_uuid(value: object) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def parse_decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def bulk_upsert(
    *, model: type[MirroredModel], connection: "Connection", rows: dict[uuid.UUID, dict]
) -> dict[uuid.UUID, str]:
    """Insert or update many mirrored rows of one connection; return each id's outcome.

    Outcomes: created, updated, unchanged (identical, or an older copy than the one we hold).
    An existing row is written only when a value differs, so a re-run writes nothing.
    """
    existing = {
        obj.lexoffice_id: obj for obj in model.objects.filter(connection=connection, lexoffice_id__in=list(rows))
    }
    outcomes: dict[uuid.UUID, str] = {}
    to_create, to_update, changed_fields = [], [], set()
    for lexoffice_id, fields in rows.items():
        fields = {**fields, "deleted_upstream_at": None}
        current = existing.get(lexoffice_id)
        if current is None:
            to_create.append(model(connection=connection, lexoffice_id=lexoffice_id, **fields))
            outcomes[lexoffice_id] = "created"
            continue
        if is_older(
            incoming_version=fields.get("version"),
            incoming_updated=fields.get("remote_updated_at"),
            stored_version=current.version,
            stored_updated=current.remote_updated_at,
        ):
            outcomes[lexoffice_id] = "unchanged"
            continue
        differing = {name for name, value in fields.items() if getattr(current, name) != value}
        if not differing:
            outcomes[lexoffice_id] = "unchanged"
            continue
        for name in differing:
            setattr(current, name, fields[name])
        changed_fields |= differing
        to_update.append(current)
        outcomes[lexoffice_id] = "updated"
    try:
        with transaction.atomic():
            model.objects.bulk_create(to_create)
            if to_update:
                model.objects.bulk_update(to_update, [*changed_fields, "synced_at"])
            record_changes(connection_id=connection.pk, action=CREATED, rows=to_create)
            record_changes(connection_id=connection.pk, action=CHANGED, rows=to_update)
            if to_create or to_update:
                generations.bump(connection.pk)
    except IntegrityError:
        # Another writer (a webhook refresh) inserted one of these rows meanwhile: go row by row.
        return {
            lexoffice_id: upsert_one(model=model, connection=connection, lexoffice_id=lexoffice_id, fields=fields)
            for lexoffice_id, fields in rows.items()
        }
    return outcomes


def upsert_one(*, model: type[MirroredModel], connection: "Connection", lexoffice_id: uuid.UUID, fields: dict) -> str:
    """Upsert a single row under a row lock, with the same older-copy guard as bulk_upsert."""
    fields = {**fields, "deleted_upstream_at": None}
    with transaction.atomic():
        current = model.objects.select_for_update().filter(connection=connection, lexoffice_id=lexoffice_id).first()
        if current is None:
            try:
                with transaction.atomic():
                    created = model.objects.create(connection=connection, lexoffice_id=lexoffice_id, **fields)
                    record_changes(connection_id=connection.pk, action=CREATED, rows=[created])
                generations.bump(connection.pk)
                return "created"
            except IntegrityError:
                current = model.objects.select_for_update().get(connection=connection, lexoffice_id=lexoffice_id)
        if is_older(
            incoming_version=fields.get("version"),
            incoming_updated=fields.get("remote_updated_at"),
            stored_version=current.version,
            stored_updated=current.remote_updated_at,
        ):
            return "unchanged"
        differing = [name for name, value in fields.items() if getattr(current, name) != value]
        if not differing:
            return "unchanged"
        for name in differing:
            setattr(current, name, fields[name])
        current.save(update_fields=[*differing, "synced_at"])
        record_changes(connection_id=connection.pk, action=CHANGED, rows=[current])
        generations.bump(connection.pk)
        return "updated"


def mark_deleted(*, model: type[MirroredModel], connection: "Connection", lexoffice_ids: list[uuid.UUID]) -> int:
    generations.bump(connection.pk)
    return _mark_gone(
        model.objects.filter(connection=connection, lexoffice_id__in=lexoffice_ids, deleted_upstream_at__isnull=True)
    )


def mark_missing(*, queryset: MirrorQuerySet, seen: set[uuid.UUID]) -> int:
    """Mark rows of `queryset` that a complete listing did not return as deleted upstream."""
    present = set(queryset.present().values_list("lexoffice_id", flat=True))
    missing = list(present - seen)
    marked = 0
    if missing:
        for connection_id in set(queryset.order_by().values_list("connection_id", flat=True).distinct()):
            generations.bump(connection_id)
    for start in range(0, len(missing), 500):
        marked += _mark_gone(queryset.filter(lexoffice_id__in=missing[start : start + 500]))
    return marked


def _mark_gone(queryset: models.QuerySet) -> int:
    """Mark the rows deleted upstream and tell the change feed, in one transaction (rows locked so a
    concurrent upsert's change and this one are announced in the order they were stored)."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(queryset.select_for_update().filter(deleted_upstream_at__isnull=True))
        if not rows:
            return 0
        marked = queryset.model.objects.filter(pk__in=[row.pk for row in rows]).update(deleted_upstream_at=now)
        for row in rows:
            row.deleted_upstream_at = now
        by_connection: dict[int, list[models.Model]] = {}
        for row in rows:
            by_connection.setdefault(row.connection_id, []).append(row)
        for connection_id, gone in by_connection.items():
            record_changes(connection_id=connection_id, action=DELETED, rows=gone)
        return marked
