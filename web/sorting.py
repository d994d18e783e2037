"""Sort orders the list pages offer: a `sort` query parameter ("date", "-date", ...) names one of a
list's choices; the page is then keyset-paged by that field (web.listing.seek).

Every choice's field has a (connection, field, id) index, so each order pages as fast as the default:
rows are limited by a list of connection ids (not a subquery), several connections are merged from
each one's index, and a search with few matches sorts just those. Queries per page: a constant (one
more for a search; one more for several connections on PostgreSQL, one per connection on SQLite).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.functional import Promise

from web.listing import PAGE_SIZE, InvalidCursor, Page, after_position, keyset_order, position_of, seek

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class SortChoice:
    key: str  # as it appears in the URL
    field: str  # the model field the rows are ordered and keyset-paged by
    label: str | Promise
    ascending_label: str | Promise  # how the select names this order, e.g. "A to Z"
    descending_label: str | Promise
    descending_first: bool = False  # the direction a click on the column header starts with
    # Leave out rows without a value (contacts without a customer number when sorting by it): else the
    # descending order starts with all of them, and PostgreSQL sorts that whole NULL block for page one.
    only_with_value: bool = False


@dataclass(frozen=True)
class Ordering:
    choice: SortChoice
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.choice.key}" if self.descending else self.choice.key

    @property
    def tag(self) -> str:  # how web.listing.seek names this ordering in its cursors
        return f"-{self.choice.field}" if self.descending else self.choice.field


FEW_MATCHES = 1000


def sorted_page(
    queryset: QuerySet, ordering: "Ordering", *, cursor: str | None, connection_ids: list[int], search: Q | None = None
) -> Page:
    """The page after `cursor` in this ordering, of rows already limited to `connection_ids`.

    `search`: a substring search to apply, if any (it also decides how the page is found)."""
    field = ordering.choice.field
    if ordering.choice.only_with_value:
        queryset = queryset.filter(**{f"{field}__isnull": False})
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
        # An index on (connection, field, id) orders one connection's rows only; for several, each
        # connection's next rows are taken from its index and the page is sorted out of those.
        queryset = queryset.filter(
            pk__in=_first_of_each(queryset, ordering, cursor=cursor, connection_ids=connection_ids)
        )
    return seek(queryset, field=field, descending=ordering.descending, cursor=cursor)


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


def _first_of_each(
    queryset: QuerySet, ordering: "Ordering", *, cursor: str | None, connection_ids: list[int]
) -> list[int]:
    """Ids of each connection's first PAGE_SIZE + 1 rows after `cursor`: the page is among them."""
    model_field = queryset.model._meta.get_field(ordering.choice.field)
    if cursor:
        try:
            value, last_id = position_of(model_field, cursor, tag=ordering.tag)
            queryset = queryset.filter(after_position(model_field, value, last_id, descending=ordering.descending))
        except InvalidCursor:
            pass  # seek starts over as well
    order = keyset_order(model_field.name, descending=ordering.descending)
    parts = [
        queryset.filter(connection_id=pk).order_by(*order).values_list("pk", flat=True)[: PAGE_SIZE + 1]
        for pk in connection_ids
    ]
    if connections[queryset.db].features.supports_slicing_ordering_in_compound:  # PostgreSQL: one query
        return list(parts[0].union(*parts[1:], all=True))
    return [pk for part in parts for pk in part]


def ordering_from(value: str | None, *, choices: tuple[SortChoice, ...], default: str) -> Ordering:
    """The ordering a `sort` parameter asks for; anything unknown falls back to `default`."""
    by_key = {choice.key: choice for choice in choices}
    for wanted in (value or "", default):
        key = wanted.removeprefix("-")
        if key in by_key:
            return Ordering(by_key[key], descending=wanted.startswith("-"))
    raise ValueError(f"default sort {default!r} is not one of the choices")


def sort_options(choices: tuple[SortChoice, ...], current: Ordering) -> list[dict]:
    """The entries of the "Sort by" select."""
    options = []
    for choice in choices:
        directions = ((True, choice.descending_label), (False, choice.ascending_label))
        for descending, direction in directions if choice.descending_first else reversed(directions):
            param = f"-{choice.key}" if descending else choice.key
            options.append(
                {"value": param, "label": f"{choice.label}, {direction}", "selected": param == current.param}
            )
    return options


def sort_headers(choices: tuple[SortChoice, ...], current: Ordering) -> dict[str, dict]:
    """Per sortable column: the `sort` value its header links to and its aria-sort state."""
    headers = {}
    for choice in choices:
        active = choice is current.choice
        descending = not current.descending if active else choice.descending_first
        headers[choice.key] = {
            "label": choice.label,
            "param": f"-{choice.key}" if descending else choice.key,
            "aria_sort": ("descending" if current.descending else "ascending") if active else "",
        }
    return headers
