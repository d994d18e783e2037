"""Keyset ("seek") paging for every big list, the web pages' and the REST API's: no OFFSET, no
COUNT(*), constant cost per page.

Rows are ordered by (field, id). NULL sorts as the largest value, as PostgreSQL does by default, so
its (field, id) indexes serve the order in both directions; SQLite is told the same explicitly. A cursor
is (ordering tag, value, id): `page_query` asks for the rows after it, `cut` makes the page and the next
cursor. The web pages call `seek` (one connection) or `merged_page` (several, and substring search);
the REST API's paginator (web.pagination) calls `page_query` and `cut` around its parameter checks.

Several connections: every ordering field has a (connection, field, id) index, so rows are limited by a
list of connection ids (not a subquery). When they hold few rows in all (a tax office's small clients) the
page is sorted out of all of them in one query; otherwise each connection's next rows come from its index
and the page is sorted out of those; a search with few matches sorts just those. Queries per page: a
constant (one more for a search; for several connections with many rows, two more on PostgreSQL, one per
connection on SQLite).
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import BooleanField, F, Field, OrderBy, Q, QuerySet
from django.db.models.expressions import RawSQL

PAGE_SIZE = 50
FEW_MATCHES = 1000
FEW_ROWS = 2000  # several connections with this many rows in all are sorted together, in one query


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


def page_query(
    queryset: QuerySet, model_field: Field, *, descending: bool, position: tuple[object, int] | None, size: int
) -> QuerySet:
    """The rows after `position` ((value, id), None for the first page) in keyset order: one more than
    `size`, which tells whether another page follows."""
    queryset = queryset.order_by(*keyset_order(model_field.name, descending=descending))
    if position is not None:
        queryset = queryset.filter(after_position(model_field, *position, descending=descending))
    return queryset[: size + 1]


def cut(rows: list, size: int, *, field: str, tag: str, more: bool | None = None) -> Page:
    """The page of `rows` (page_query's, as model instances or dicts) and the cursor after its last row.

    `more`: whether rows follow the page, when `rows` cannot tell (by default: they hold one beyond it)."""
    more = len(rows) > size if more is None else more
    rows = rows[:size]
    if not more or not rows:
        return Page(rows, None)
    last = rows[-1]
    value, pk = (last[field], last["id"]) if isinstance(last, dict) else (getattr(last, field), last.pk)
    return Page(rows, encode_cursor([tag, value, pk]))


def lenient_position(model_field: Field, cursor: str | None, *, tag: str) -> tuple[object, int] | None:
    """The cursor's position, or None (the first page) for a missing or hand-edited one: a web page shows
    the start of the list rather than an error."""
    if not cursor:
        return None
    try:
        return position_of(model_field, cursor, tag=tag)
    except InvalidCursor:
        return None


def seek(queryset: QuerySet, *, field: str, descending: bool, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    """Order by (field, id) and return the page after `cursor` (opaque to callers; a bad one starts over)."""
    model_field = queryset.model._meta.get_field(field)
    tag = f"-{field}" if descending else field
    position = lenient_position(model_field, cursor, tag=tag)
    rows = list(page_query(queryset, model_field, descending=descending, position=position, size=size))
    return cut(rows, size, field=field, tag=tag)


def merged_page(
    queryset: QuerySet,
    *,
    field: str,
    descending: bool,
    cursor: str | None,
    connection_ids: list[int],
    search: Q | None = None,
    rows: int | None = None,
) -> Page:
    """`seek` over rows already limited to `connection_ids`, found through each connection's index.

    `search`: a substring search to apply, if any (it also decides how the page is found).
    `rows`: how many rows the list holds at most, when the caller knows (the totals it shows); else, for
    several connections, a bounded count asks."""
    narrowed = False
    if search is not None:
        queryset = queryset.filter(search)
        # PostgreSQL can only guess how many rows LIKE '%term%' matches. Walking the sort index until a
        # page is full is right for a common term and reads the whole index for a rare one, so look
        # first (one query, no ordering, so the trigram index answers it): few matches are sorted alone.
        matches = _matching_ids(
            queryset.model._base_manager.filter(search, connection_id__in=connection_ids), FEW_MATCHES + 1
        )
        narrowed = len(matches) <= FEW_MATCHES
        if narrowed:
            queryset = queryset.filter(pk__in=matches)
    if len(connection_ids) > 1 and not narrowed:
        # A tax office's many small clients: sorting all their rows at once costs less than a query per
        # connection (planning 50 UNION branches took longer than running them).
        if rows is not None:
            narrowed = rows <= FEW_ROWS
        else:
            page = seek(
                queryset.filter(_at_most(queryset, FEW_ROWS)), field=field, descending=descending, cursor=cursor
            )
            if page.rows or _count_up_to(queryset) <= FEW_ROWS:
                return page
    if len(connection_ids) > 1 and not narrowed:
        # An index on (connection, field, id) orders one connection's rows only; for several, each
        # connection's next rows are taken from its index and the page is sorted out of those.
        model_field = queryset.model._meta.get_field(field)
        position = lenient_position(model_field, cursor, tag=f"-{field}" if descending else field)
        parts = [
            page_query(
                queryset.filter(connection_id=pk), model_field, descending=descending, position=position, size=PAGE_SIZE
            ).values_list("pk", flat=True)
            for pk in connection_ids
        ]
        if connections[queryset.db].features.supports_slicing_ordering_in_compound:  # PostgreSQL: one query
            ids = list(parts[0].union(*parts[1:], all=True))
        else:
            ids = [pk for part in parts for pk in part]
        queryset = queryset.filter(pk__in=ids)
    return seek(queryset, field=field, descending=descending, cursor=cursor)


def _count_up_to(queryset: QuerySet) -> int:
    """The number of rows, counted no further than FEW_ROWS + 1: a few index entries, however large the list."""
    return queryset.order_by().values("pk")[: FEW_ROWS + 1].count()


def _at_most(queryset: QuerySet, limit: int) -> RawSQL:
    """A condition true when `queryset` has at most `limit` rows. It depends on no row, so the database
    counts first (no further than limit + 1) and reads no row at all when it is false."""
    count = queryset.order_by().values("pk")[: limit + 1]
    sql, params = count.query.sql_with_params()
    # The ORM's own compiled SQL, its values still parameters.
    return RawSQL(f"(SELECT COUNT(*) FROM ({sql}) AS few) <= %s", (*params, limit), output_field=BooleanField())  # noqa: S608, S611


def _matching_ids(queryset: QuerySet, limit: int) -> list[int]:
    """Up to `limit` ids the search matches, in no order.

    The search alone, in the connections: every other filter is the page query's. With them, PostgreSQL
    may AND a bitmap of a broad one into the trigram bitmap (the 600,000 vouchers of the bookkeeping
    types: 25 ms for "Müller", whose trigram part takes 3.5 ms). More ids than the rows the page can show
    only make the page query narrow less often, never wrong: it still applies every filter.

    Asked with a LIMIT, PostgreSQL expects matches to turn up early and reads the table in order: for a
    common term ("Müller", 0.7 % of a million vouchers) 150,000 rows, ~95 ms. Planned without the limit
    (a materialized CTE, read only as far as the limit) it takes the trigram bitmap: ~8 ms for that
    term, as fast as before for rare ones, and a table read that stops early for very common ones."""
    ids = queryset.order_by().values_list("pk", flat=True)
    if connections[queryset.db].vendor != "postgresql":
        return list(ids[:limit])
    sql, params = ids.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        # The ORM's own compiled SQL, its values still parameters.
        cursor.execute(
            f"WITH matches AS MATERIALIZED ({sql}) SELECT * FROM matches LIMIT %s",  # noqa: S608
            [*params, limit],
        )
        return [row[0] for row in cursor.fetchall()]
