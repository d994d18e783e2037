"""Keyset paging for the REST API: a cursor that names its ordering, pages that cost the same at any depth."""

from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Field, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from web import compiled_walks
from web.db import prepared_statements
from web.filters import names_no_filter
from web.listing import InvalidCursor, cut, page_query, position_of

MAX_PAGE_SIZE = 250


class KeysetPagination(BasePagination):
    """Pages by (ordering field, id) with an opaque cursor: no OFFSET, no COUNT(*), constant cost.

    The view names its sortable fields in `ordering_fields` ({public name: model field}) and its
    default in `default_ordering` ("-voucherDate"). A view with `walk_rows(connection_ids)` (the rows
    its list shows, before any filter) has a request that names no filter paged by
    web.compiled_walks, as a prepared statement. A view whose `ids_first()` says so has the page's
    ids found first and its rows then fetched by `rows_by_id(ids)` (one query more, so that a covering
    index serves the walk). NULL sorts as the largest value (PostgreSQL's default, so its indexes serve the order);
    SQLite is told the same explicitly.
    """

    cursor_query_param = "cursor"
    page_size_query_param = "pageSize"
    ordering_query_param = "ordering"

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list:
        self.request = request
        name, descending = self._ordering(request, view)
        field = view.ordering_fields[name]
        model_field = queryset.model._meta.get_field(field)
        size = self._page_size(request, view)
        tag = f"-{name}" if descending else name  # the cursor names its ordering, by the public name
        position = None
        if cursor := request.query_params.get(self.cursor_query_param):
            position = self._position(cursor, tag, model_field)

        def page(rows: QuerySet, position: tuple[object, int] | None) -> QuerySet:
            return page_query(rows, model_field, descending=descending, position=position, size=size)

        more: bool | None = None  # None: the rows hold one beyond the page if more follow
        if (
            getattr(view, "walk_rows", None)
            and names_no_filter(request, view)
            and "compiled_walks" not in settings.LEXHUB_SPEEDUPS_OFF
        ):
            # A walk: the only values are the connections and the cursor, which never change the best plan
            # (the ordering's index), so it is a prepared statement compiled once per shape.
            with prepared_statements(connections[queryset.db]):
                rows = compiled_walks.page_rows(
                    (type(view), tag, size),
                    lambda ids, value, last_id: page(
                        view.walk_rows(ids), None if last_id is None else (value, last_id)
                    ),
                    using=queryset.db,
                    connection_ids=view.connection_ids(),
                    model_field=model_field,
                    position=position,
                )
        elif getattr(view, "ids_first", None) and view.ids_first():
            # The page's ids from an index alone, then only those rows (see the view's ids_first). A row
            # gone between the two queries is left out; whether more pages follow is the ids' to say.
            ids = list(page(queryset, position).values_list("pk", flat=True))
            fetched = {_pk(row): row for row in view.rows_by_id(ids[:size])}
            rows, more = [fetched[pk] for pk in ids[:size] if pk in fetched], len(ids) > size
        else:
            rows = list(page(queryset, position))
        result = cut(rows, size, field=field, tag=tag, more=more)
        self.next_cursor = result.next_cursor
        return result.rows

    def get_paginated_response(self, data: list) -> Response:
        next_url = None
        if self.next_cursor:
            next_url = replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, self.next_cursor)
        return Response(OrderedDict([("next", next_url), ("results", data)]))

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "URL of the next page; null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        names = sorted(getattr(view, "ordering_fields", {}) or {})
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor from a previous page's `next`.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {MAX_PAGE_SIZE}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
            {
                "name": self.ordering_query_param,
                "required": False,
                "in": "query",
                "description": "Sort field; prefix with '-' for descending.",
                "schema": {"type": "string", "enum": [*names, *(f"-{n}" for n in names)]},
            },
        ]

    def _ordering(self, request: Request, view: Any) -> tuple[str, bool]:
        raw = request.query_params.get(self.ordering_query_param) or view.default_ordering
        name = raw.lstrip("-")
        if name not in view.ordering_fields or raw.count("-") > 1:
            raise ValidationError(
                {
                    "ordering": [
                        f"Choose one of: {', '.join(sorted(view.ordering_fields))}, optionally prefixed with '-'."
                    ]
                }
            )
        return name, raw.startswith("-")

    def _page_size(self, request: Request, view: Any) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return getattr(view, "page_size", 50)
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise ValidationError({"pageSize": [f"Use a number from 1 to {MAX_PAGE_SIZE}."]})
        return int(raw)

    def _position(self, cursor: str, tag: str, model_field: Field) -> tuple[object, int]:
        invalid = ValidationError({"cursor": ["This cursor is invalid or belongs to another ordering."]})
        try:
            value, last_id = position_of(model_field, cursor, tag=tag)
        except InvalidCursor:
            raise invalid from None
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL cannot even compare with NUL
            raise invalid
        return value, last_id


def _pk(row: Any) -> int:
    return row["id"] if isinstance(row, dict) else row.pk
