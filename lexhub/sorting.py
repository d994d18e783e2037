"""Sort orders the list pages offer: a `sort` query parameter ("date", "-date", ...) names one of a
list's choices; the page is then keyset-paged by that field (lexhub.listing.seek).

Every choice's field has a (connection, field, id) index, so each order pages as fast as the default.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.functional import Promise

from lexhub.listing import Page, seek

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


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


FEW_MATCHES = 1000


def sorted_page(queryset: QuerySet, ordering: "Ordering", *, cursor: str | None, searched: bool = False) -> Page:
    """The page after `cursor` in this ordering. `searched`: the queryset holds a substring search."""
    field = ordering.choice.field
    if ordering.choice.only_with_value:
        queryset = queryset.filter(**{f"{field}__isnull": False})
    if searched:
        # PostgreSQL can only guess how many rows LIKE '%term%' matches. Walking the sort index until a
        # page is full is right for a common term and reads the whole index for a rare one, so look
        # first (one query, no ordering, so the trigram index answers it): few matches are sorted alone.
        matches = list(queryset.order_by().values_list("pk", flat=True)[:FEW_MATCHES + 1])
        if len(matches) <= FEW_MATCHES:
            queryset = queryset.filter(pk__in=matches)
    return seek(queryset, field=field, descending=ordering.descending, cursor=cursor)


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
            options.append({"value": param, "label": f"{choice.label}, {direction}",
                            "selected": param == current.param})
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


def of_visible_connections(queryset: QuerySet, user: "AbstractBaseUser") -> QuerySet:
    """Rows of the connections `user` sees, named by a list of ids (one extra, constant query).

    With a subquery PostgreSQL cannot know there is usually one connection and sorts every row of
    the account; with `connection_id IN (1)` it walks the (connection, field, id) index in order.
    """
    from lexhub.models import Connection

    return queryset.filter(connection_id__in=list(Connection.objects.visible_to(user).values_list("pk", flat=True)))
