"""Keyset ("seek") pagination for big lists: no OFFSET, no COUNT(*), constant cost per page.

Rows are ordered by (field, id). NULL sorts as the largest value, as PostgreSQL does by default, so
its (field, id) indexes serve the order in both directions; SQLite is told the same explicitly.
Used by the web pages (`seek`) and the REST API's paginator (`keyset_order`, `after_position`).
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, Field, OrderBy, Q, QuerySet

PAGE_SIZE = 50


class InvalidCursor(ValueError):
    """The cursor was not made by us for this ordering."""


@dataclass
class Page:
    rows: list
    next_cursor: str | None


def keyset_order(field: str, *, descending: bool) -> tuple[OrderBy, OrderBy]:
    if descending:
        return F(field).desc(nulls_first=True), F("id").desc()
    return F(field).asc(nulls_last=True), F("id").asc()


def after_position(model_field: Field, value: object, last_id: int, *, descending: bool) -> Q:
    """The rows that come after (value, last_id) in keyset_order."""
    field = model_field.name
    beyond = "lt" if descending else "gt"
    if value is None:  # inside the NULL block, which comes first descending and last ascending
        in_nulls = Q(**{f"{field}__isnull": True, f"id__{beyond}": last_id})
        return in_nulls | Q(**{f"{field}__isnull": False}) if descending else in_nulls
    # The inclusive bound first keeps the condition usable as an index range; the OR sorts out the ties.
    inclusive = "lte" if descending else "gte"
    ties = Q(**{f"{field}__{beyond}": value}) | Q(**{f"id__{beyond}": last_id})
    after = Q(**{f"{field}__{inclusive}": value}) & ties
    if not descending and model_field.null:
        after |= Q(**{f"{field}__isnull": True})
    return after


def encode_cursor(values: list) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, Decimal) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list | None:
    try:
        values = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    return values if isinstance(values, list) else None


def position_of(model_field: Field, cursor: str, *, tag: str) -> tuple[object, int]:
    """(value, id) from a cursor made for the ordering `tag`; InvalidCursor otherwise."""
    position = decode_cursor(cursor)
    if (
        position is None
        or len(position) != 3
        or position[0] != tag
        or not isinstance(position[2], int)
        or isinstance(position[2], bool)
        or not 0 <= position[2] < 2**63
    ):
        raise InvalidCursor(cursor)
    try:
        value = None if position[1] is None else model_field.to_python(position[1])
    except ValidationError:
        raise InvalidCursor(cursor) from None
    if value is None and not model_field.null:
        raise InvalidCursor(cursor)
    return value, position[2]


def seek(queryset: QuerySet, *, field: str, descending: bool, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    """Order by (field, id) and return the page after `cursor` (opaque to callers; a bad one starts over)."""
    model_field = queryset.model._meta.get_field(field)
    tag = f"-{field}" if descending else field
    queryset = queryset.order_by(*keyset_order(field, descending=descending))
    if cursor:
        try:
            value, last_id = position_of(model_field, cursor, tag=tag)
            queryset = queryset.filter(after_position(model_field, value, last_id, descending=descending))
        except InvalidCursor:
            pass  # a hand-edited link shows the first page rather than an error
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        last = rows[size - 1]
        next_cursor = encode_cursor([tag, getattr(last, field), last.pk])
    return Page(rows[:size], next_cursor)
