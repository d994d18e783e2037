"""Totals of a voucher list's whole filter, not just its page: count, gross and open amount per currency.

One aggregate query over the same filtered rows the list pages through. Summing every row of a large
account costs more than a page of 50 (at 1,000,000 vouchers 80 to 500 ms), so a result is cached under the
filter and the connections' mirror generation (connections/generations.py), which every write to the mirror
replaces: an unchanged total is computed once, a changed mirror is summed afresh. A page asks with a budget:
on PostgreSQL the sum is cancelled when it runs longer than the page may wait, and the page fetches its
totals afterwards (the list URL with `totals=wait`), so a list never waits for them."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import OperationalError, connections, transaction
from django.db.models import Count, QuerySet, Sum

from connections import generations

CACHE_SECONDS = 600
# What a list page spends on its totals before it shows the rows without them (its own budget is 60 ms).
PAGE_BUDGET_MS = 40


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


def cached_totals(
    queryset: QuerySet, *, connection_ids: list[int], filters: dict[str, str], budget_ms: int | None = None
) -> list[Total] | None:
    """totals_of, kept while no connection's mirror changes. `filters` must name everything that narrows
    `queryset` besides the connections. With `budget_ms`, None when the sum would take longer (PostgreSQL;
    elsewhere the sum always runs: the embedded set-up holds small accounts)."""
    described = repr(sorted(filters.items())) + "|" + generations.current(connection_ids)
    key = "lexhub:totals:" + hashlib.sha256(described.encode()).hexdigest()
    slow = f"{key}:slow"  # these totals outran a page's budget once: later pages do not try again
    held = cache.get_many([key, slow])
    found = held.get(key)
    if found is None:
        if budget_ms is not None and slow in held:
            return None
        found = _within(queryset, budget_ms) if budget_ms is not None else totals_of(queryset)
        if found is None:
            cache.set(slow, True, CACHE_SECONDS)
            return None
        cache.set(key, found, CACHE_SECONDS)
    return found


def _within(queryset: QuerySet, budget_ms: int) -> list[Total] | None:
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return totals_of(queryset)
    try:
        with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = %s", [f"{int(budget_ms)}ms"])
            totals = totals_of(queryset)
            # Only reads happened: rolling back ends the budget with them, inside a caller's transaction too.
            transaction.set_rollback(True, using=queryset.db)
            return totals
    except OperationalError as exc:
        if type(exc.__cause__).__name__ == "QueryCanceled":  # over budget: the page fetches them afterwards
            return None
        raise
