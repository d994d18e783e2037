"""Sort orders the list pages offer: a `sort` query parameter ("date", "-date", ...) names one of a
list's choices; the page is then keyset-paged by that field (web.listing.merged_page). Every choice's
field has a (connection, field, id) index, so each order pages as fast as the default.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.functional import Promise

from web.listing import Page, merged_page


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


def sorted_page(
    queryset: QuerySet,
    ordering: Ordering,
    *,
    cursor: str | None,
    connection_ids: list[int],
    search: Q | None = None,
    rows: int | None = None,
) -> Page:
    """The page after `cursor` in this ordering, of rows already limited to `connection_ids`
    (web.listing.merged_page; `rows`: how many the list holds at most, when known)."""
    field = ordering.choice.field
    if ordering.choice.only_with_value:
        queryset = queryset.filter(**{f"{field}__isnull": False})
    return merged_page(
        queryset,
        field=field,
        descending=ordering.descending,
        cursor=cursor,
        connection_ids=connection_ids,
        search=search,
        rows=rows,
    )


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
