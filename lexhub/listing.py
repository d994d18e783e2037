"""Keyset ("seek") pagination for big lists: no OFFSET, no COUNT(*), constant cost per page."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

PAGE_SIZE = 50


@dataclass
class Page:
    rows: list
    next_cursor: str | None


def _encode(values: list) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain, default=str).encode()).decode()


def _decode(cursor: str) -> list | None:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        return None
    return values if isinstance(values, list) and len(values) == 2 else None


def seek(queryset: QuerySet, *, field: str, descending: bool, cursor: str | None,
         size: int = PAGE_SIZE) -> Page:
    """Order by (field, id) and return the page after `cursor` (opaque to callers)."""
    order = [f"-{field}", "-id"] if descending else [field, "id"]
    queryset = queryset.order_by(*order)
    position = _decode(cursor) if cursor else None
    if position is not None:
        value, last_id = position
        if field.endswith("date") and isinstance(value, str):
            value = datetime.fromisoformat(value)
        beyond = "lt" if descending else "gt"
        if value is None:
            queryset = queryset.filter(**{f"{field}__isnull": True, f"id__{beyond}": last_id})
        else:
            after = Q(**{f"{field}__{beyond}": value}) | Q(**{field: value, f"id__{beyond}": last_id})
            if descending:
                after |= Q(**{f"{field}__isnull": True})  # NULLs sort last when descending
            queryset = queryset.filter(after)
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        last = rows[size - 1]
        next_cursor = _encode([getattr(last, field), last.pk])
    return Page(rows[:size], next_cursor)
