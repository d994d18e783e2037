"""Totals of a voucher list's whole filter, not just its page: count, gross and open amount per currency.

One aggregate query over the same filtered rows the list pages through. Summing every row of a large
account costs more than a page of 50, so a result is cached under the filter and the connections' mirror
generation (connections/generations.py), which every write to the mirror replaces: an unchanged total is
computed once, a changed mirror is summed afresh."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, QuerySet, Sum

from connections import generations

CACHE_SECONDS = 600


@dataclass(frozen=True)
class Total:
    currency: str
    count: int
    gross: Decimal
    open: Decimal


def totals_of(queryset: QuerySet) -> list[Total]:
    """The rows' sums per currency (most rows first), straight from the database."""
    rows = (
        queryset.order_by()
        .values("currency")
        .annotate(count=Count("id"), gross=Sum("total_amount"), open=Sum("open_amount"))
        .order_by("-count", "currency")
    )
    return [
        Total(
            currency=row["currency"],
            count=row["count"],
            gross=row["gross"] or Decimal("0.00"),
            open=row["open"] or Decimal("0.00"),
        )
        for row in rows
    ]


def cached_totals(queryset: QuerySet, *, connection_ids: list[int], filters: dict[str, str]) -> list[Total]:
    """totals_of, kept while no connection's mirror changes. `filters` must name everything that narrows
    `queryset` besides the connections."""
    described = repr(sorted(filters.items())) + "|" + generations.current(connection_ids)
    key = "lexhub:totals:" + hashlib.sha256(described.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = totals_of(queryset)
        cache.set(key, found, CACHE_SECONDS)
    return found
