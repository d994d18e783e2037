"""Pieces every REST API viewset shares: the JSON renderer, throttling, error schemas, value formats.
Filters are in web.filters, keyset paging in web.pagination."""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from django.core.cache.backends.base import BaseCache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from knox.models import AuthToken
from rest_framework import renderers, serializers
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils import encoders


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, encoded by orjson: a fifth of the time for a page of 50 vouchers. Values orjson
    does not take natively (datetimes, decimals, lazy text) go through DRF's own encoder, so the
    output is the same; pretty-printing (`; indent=`) and anything orjson refuses fall back to DRF."""

    _fallback = encoders.JSONEncoder().default
    _options = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def render(
        self, data: object, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if data is not None and self.get_indent(accepted_media_type or "", dict(renderer_context or {})) is None:
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
        return cache.count_hit(key, previous_key, timeout)
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
    duration: int  # set by SimpleRateThrottle from the rate
    num_requests: int

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # read live, so settings overrides apply
        return None if rate is None else str(rate)

    def get_cache_key(self, request: Request, view: object) -> str:
        if isinstance(request.auth, AuthToken):
            return self.token_cache_key(request.auth)
        if request.user and request.user.is_authenticated:
            return f"throttle_{self.scope}_user-{request.user.pk}"
        return f"throttle_{self.scope}_anon-{self.get_ident(request)}"

    def token_cache_key(self, token: AuthToken) -> str:
        """A token's budget, which the MCP server (assistants/http.py) spends too."""
        return f"throttle_{self.scope}_token-{token.token_key}"

    def allow_request(self, request: Request, view: object) -> bool:
        return self.rate is None or self.allow(self.get_cache_key(request, view))

    def allow(self, key: str) -> bool:
        """Count one request against the budget under `key`; False (nothing counted) when it is spent."""
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

OUTBOX_FIELDS: dict[str, serializers.Field] = {
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


# drf-spectacular registers extensions in an untyped __init_subclass__.
class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Documents our knox subclass as `Authorization: Token <token>`."""

    target_class = "lexhub.api_auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: object) -> dict:
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
