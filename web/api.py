"""Pieces every REST API viewset shares: token auth, scoping, keyset pages, throttling, error schemas."""

import copy
from collections import OrderedDict
from datetime import datetime
from decimal import Decimal

import django_filters
import orjson
from django import forms
from django.core.cache.backends.base import BaseCache
from django.db import connections
from django.db.models import Field, QuerySet
from django.http import QueryDict
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from knox.models import AuthToken
from rest_framework import renderers, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils import encoders
from rest_framework.utils.urls import replace_query_param

from web import compiled_walks
from web.db import prepared_statements
from web.listing import InvalidCursor, after_position, encode_cursor, keyset_order, position_of

MAX_PAGE_SIZE = 250


class IdFilter(django_filters.Filter):
    """An id query parameter: a positive integer the database can hold, else a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, min_value=1, max_value=2**63 - 1, **kwargs)


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet without the per-request work that gives the same result every time:
    its filters are copied shallowly instead of deeply (~150 copy calls a request) and its form class
    is built once per FilterSet instead of once per request. Fine for filters whose fields do not
    depend on the request, which is all of ours."""

    _form_classes: dict[type, type] = {}

    def __init__(
        self,
        data: object = None,
        queryset: QuerySet | None = None,
        *,
        request: object = None,
        prefix: str | None = None,
    ) -> None:
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self
            if filter_.method is not None:
                filter_.method = filter_.method  # binds a new FilterMethod to this copy, not the class's filter

    def get_form_class(self) -> type:
        form_class = self._form_classes.get(type(self))
        if form_class is None:
            form_class = self._form_classes[type(self)] = super().get_form_class()
        return form_class


class FilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names none of the view's filters (building its form
    deep-copies every field: about a millisecond on the busiest lists for nothing)."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: object) -> QuerySet:
        if names_no_filter(request, view):
            return queryset
        return super().filter_queryset(request, queryset, view)


def names_no_filter(request: Request, view: object) -> bool:
    filterset_class = getattr(view, "filterset_class", None)
    return filterset_class is not None and not any(
        name in request.query_params for name in filterset_class.base_filters
    )


class StrictBooleanField(forms.NullBooleanField):
    widget = forms.TextInput  # the select widget would turn unknown values into None silently

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise forms.ValidationError("Use true or false.")


class BooleanFilter(django_filters.BooleanFilter):
    """true/false; anything else is a 400 instead of being ignored."""

    field_class = StrictBooleanField


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, encoded by orjson: a fifth of the time for a page of 50 vouchers. Values orjson
    does not take natively (datetimes, decimals, lazy text) go through DRF's own encoder, so the
    output is the same; pretty-printing (`; indent=`) and anything orjson refuses fall back to DRF."""

    _fallback = encoders.JSONEncoder().default
    _options = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def render(
        self, data: object, accepted_media_type: str | None = None, renderer_context: dict | None = None
    ) -> bytes:
        if data is not None and self.get_indent(accepted_media_type, renderer_context or {}) is None:
            try:
                encoded = orjson.dumps(data, default=self._fallback, option=self._options)
            except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits, or a type nobody encodes
                pass
            else:  # escaped like DRF does, so the output stays a strict JavaScript subset
                return encoded.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return super().render(data, accepted_media_type, renderer_context)


def count_hit(cache: BaseCache, key: str, previous_key: str, timeout: int) -> tuple[int, int]:
    """The new count under `key` and the count under `previous_key`, on any cache backend."""
    if hasattr(cache, "count_hit"):  # lexhub.cache.RedisCache does it in one round trip
        return cache.count_hit(key, previous_key, timeout)  # type: ignore[no-any-return]
    cache.add(key, 0, timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, count := 1, timeout)
    return count, int(cache.get(previous_key, 0))


class TokenRateThrottle(SimpleRateThrottle):
    """One budget per API token (per user for the browser session, per address when anonymous).

    A sliding-window counter: this window's count plus the previous window's, weighted by how much of
    it still overlaps the last `duration` seconds. Constant work per request (DRF's own throttle reads
    and rewrites a list of every request in the window, thousands of timestamps for a busy token),
    one cache round trip on Redis, and counted atomically, so concurrent requests cannot slip past.
    """

    scope = "user"

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # read live, so settings overrides apply

    def get_cache_key(self, request: Request, view: object) -> str:
        if isinstance(request.auth, AuthToken):
            ident = f"token-{request.auth.token_key}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return f"throttle_{self.scope}_{ident}"

    def allow_request(self, request: Request, view: object) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        now = self.timer()
        window, into = divmod(now, self.duration)
        current_key = f"{key}:{int(window)}"
        self.current, self.previous = count_hit(self.cache, current_key, f"{key}:{int(window) - 1}", 2 * self.duration)
        overlap = 1 - into / self.duration  # the share of the previous window still counted
        if self.previous * overlap + self.current <= self.num_requests:
            return True
        self.current -= 1
        self.cache.decr(current_key)  # a refused request does not use up budget
        self.into = into
        return False

    def wait(self) -> float:
        """Seconds until one more request fits, if the client sends nothing meanwhile."""
        room = self.num_requests - self.current - 1  # requests the previous window's share must shrink to
        if room >= 0:
            return max(0.0, (1 - room / self.previous) * self.duration - self.into) if self.previous else 0.0
        # Not before the next window, when this window's count becomes the decaying previous one.
        needed = 1 - (self.num_requests - 1) / self.current if self.current else 0.0
        return self.duration - self.into + max(0.0, needed) * self.duration


# --- keyset pagination -----------------------------------------------------------------------


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

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: object = None) -> list:
        self.request = request
        name, descending = self._ordering(request, view)
        field = view.ordering_fields[name]
        model_field = queryset.model._meta.get_field(field)
        size = self._page_size(request, view)
        tag = f"-{name}" if descending else name  # the cursor names its ordering, by the public name
        position = None
        if cursor := request.query_params.get(self.cursor_query_param):
            position = self._position(cursor, tag, model_field)
        order = keyset_order(field, descending=descending)

        def page(rows: QuerySet, value: object, last_id: int | None) -> QuerySet:
            rows = rows.order_by(*order)
            if last_id is not None:
                rows = rows.filter(after_position(model_field, value, last_id, descending=descending))
            return rows[: size + 1]

        if getattr(view, "walk_rows", None) and names_no_filter(request, view):
            # A walk: the only values are the connections and the cursor, which never change the best plan
            # (the ordering's index), so it is a prepared statement compiled once per shape.
            with prepared_statements(connections[queryset.db]):
                rows = compiled_walks.page_rows(
                    (type(view), tag, size),
                    lambda ids, value, last_id: page(view.walk_rows(ids), value, last_id),
                    using=queryset.db,
                    connection_ids=view.connection_ids(),
                    model_field=model_field,
                    position=position,
                )
            rows, more = rows[:size], len(rows) > size
        elif getattr(view, "ids_first", None) and view.ids_first():
            # The page's ids from an index alone, then only those rows (see the view's ids_first). A row
            # gone between the two queries is left out; whether more pages follow is the ids' to say.
            ids = list(page(queryset, *(position or (None, None))).values_list("pk", flat=True))
            fetched = {_pk(row): row for row in view.rows_by_id(ids[:size])}
            rows, more = [fetched[pk] for pk in ids[:size] if pk in fetched], len(ids) > size
        else:
            rows = list(page(queryset, *(position or (None, None))))
            rows, more = rows[:size], len(rows) > size
        self.next_cursor = None
        if more and rows:
            last = rows[-1]  # a model instance, or a dict from .values() on hot paths
            value = last[field] if isinstance(last, dict) else getattr(last, field)
            self.next_cursor = encode_cursor([tag, value, _pk(last)])
        return rows

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

    def get_schema_operation_parameters(self, view: object) -> list[dict]:
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

    def _ordering(self, request: Request, view: object) -> tuple[str, bool]:
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

    def _page_size(self, request: Request, view: object) -> int:
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


def _pk(row: object) -> int:
    return row["id"] if isinstance(row, dict) else row.pk


# --- documentation helpers -------------------------------------------------------------------

ErrorSerializer = inline_serializer(
    "Error",
    {
        "code": serializers.CharField(help_text="Machine-readable: invalid, not_found, conflict, queued, ..."),
        "message": serializers.CharField(help_text="A sentence a person can act on."),
        "fieldErrors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="Field path (Lexoffice's names, e.g. company.name) -> messages.",
        ),
    },
)

OUTBOX_FIELDS = {
    "id": serializers.IntegerField(),
    "operation": serializers.CharField(),
    "state": serializers.CharField(),
    "attempts": serializers.IntegerField(),
    "createdAt": serializers.DateTimeField(),
}
QueuedSerializer = inline_serializer(
    "Queued",
    {
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "fieldErrors": serializers.DictField(),
        "outbox": inline_serializer("OutboxEntry", OUTBOX_FIELDS),
    },
)

ERROR_TEXT = {
    400: "Invalid input; `fieldErrors` names the fields (Lexoffice's own field errors included).",
    401: "No or an invalid token.",
    403: "Not allowed for this user.",
    404: "No such record among your connections.",
    409: "Conflict with the record's current state.",
    413: "The file is larger than 5 MiB.",
    415: "Unsupported file type (checked by content).",
    429: "Too many requests for this token; retry after the `Retry-After` seconds.",
    502: "Lexoffice answered with an error or could not be reached.",
}

VALIDATION_EXAMPLE = OpenApiExample(
    "Field errors",
    status_codes=["400"],
    response_only=True,
    value={
        "code": "invalid",
        "message": "Please correct the marked fields.",
        "fieldErrors": {"company.name": ["Enter the company name."]},
    },
)
NOT_FOUND_EXAMPLE = OpenApiExample(
    "Not found",
    status_codes=["404"],
    response_only=True,
    value={"code": "not_found", "message": "No Contact matches the given query.", "fieldErrors": {}},
)
QUEUED_EXAMPLE = OpenApiExample(
    "Queued",
    status_codes=["202"],
    response_only=True,
    value={
        "code": "queued",
        "message": "Lexoffice is not reachable right now (rate limited). Your change is saved "
        "and will be sent automatically.",
        "fieldErrors": {},
        "outbox": {
            "id": 7,
            "operation": "create_contact",
            "state": "pending",
            "attempts": 1,
            "createdAt": "2026-11-25T08:00:00Z",
        },
    },
)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Documented error responses, all with the one error body."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_TEXT[code]) for code in (401, 429, *codes)}


def queued() -> dict[int, OpenApiResponse]:
    return {
        202: OpenApiResponse(
            QueuedSerializer,
            description="Lexoffice cannot take the write now; it is stored "
            "in the outbox and sent automatically, exactly once.",
        )
    }


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def stamp(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class TokenScheme(OpenApiAuthenticationExtension):
    """Documents our knox subclass as `Authorization: Token <token>`."""

    target_class = "lexhub.api_auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: object) -> dict:
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
