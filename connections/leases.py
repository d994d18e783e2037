"""Leases: a worker takes a row (outbox entry, webhook event, sync run) by writing when its lease ends.

Taking is one conditional UPDATE, so of two workers racing for a row exactly one wins, on every
database, without holding a transaction open. A row whose worker died is taken again once its lease
has run out; until then a second worker leaves it alone.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

__all__ = ["claim", "free"]


def free(field: str, now: datetime) -> Q:
    """Rows nobody holds at `now`: never leased, released (None), or the lease ran out."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": now})


def claim(
    queryset: "QuerySet[Any]", *, field: str, lease: timedelta, now: datetime | None = None, **updates: Any
) -> bool:
    """Lease the rows of `queryset` that are free (until now + lease) and set `updates` on them in the
    same statement; False when none was free. Narrow `queryset` to the states that may be taken."""
    if now is None:
        now = timezone.now()
    return bool(queryset.filter(free(field, now)).update(**{field: now + lease}, **updates))
