"""The Lexoffice API client: the one HTTP seam between Lexhub and Lexoffice.

One instance per connection (API key). Every request goes through `_send`, which waits for a slot
of the key's shared budget (lexoffice.ratelimit), sets timeouts, retries what is safe to retry and
turns error answers into the classes of lexoffice.errors. Methods return plain parsed JSON
and know nothing of our models. The key never reaches repr, logs or exceptions.

Retry rules: 429 is always retried (Lexoffice executed nothing). 5xx, timeouts and dropped
connections are retried for GET, PUT and DELETE (PUT carries a version, so a repeat cannot
overwrite a newer record). A POST is never repeated after it may have reached Lexoffice: a 5xx, a
timeout after sending or a dropped connection raises MaybeExecuted, and the caller looks the record
up before trying again (see connections.writes). A POST that was refused before sending (connection
refused, connect timeout) is retried like any other request.
"""

import html
import logging
import random
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

import requests
import urllib3
from django.conf import settings

from lexoffice.errors import (
    AuthenticationError,
    Conflict,
    LexofficeError,
    MaybeExecuted,
    NotFound,
    PassthroughRejected,
    PermissionDenied,
    RateLimited,
    ServerError,
    TransportError,
    ValidationFailed,
    error_for,
)
from lexoffice.hosts import resolved_base_url
from lexoffice.ratelimit import LANES, RateLimiter, bucket_id, get_limiter

__all__ = [
    "LANES",
    "AuthenticationError",
    "Conflict",
    "Download",
    "Lexoffice",
    "LexofficeError",
    "MaybeExecuted",
    "NotFound",
    "PassthroughRejected",
    "PermissionDenied",
    "RateLimited",
    "ServerError",
    "TransportError",
    "ValidationFailed",
]

log = logging.getLogger("lexoffice.client")

Json = dict[str, Any]  # a parsed Lexoffice answer; its shape is checked where it is used

CONNECT_TIMEOUT = 5.0
PAGE_SIZE = 250
SEARCH_WINDOW = 10_000
SALES_KINDS = (
    "invoices",
    "credit-notes",
    "quotations",
    "order-confirmations",
    "delivery-notes",
    "down-payment-invoices",
    "dunnings",
)
# How long a caller of each lane may wait for its slot of the budget.
LANE_MAX_WAIT = {"interactive": 30.0, "webhook": 120.0, "backfill": 600.0}
# How long retries of one request may go on. A person waits on the interactive lane: after a few seconds
# a write is better queued in the outbox (and a read better answered with an error) than left hanging.
LANE_PATIENCE = {"interactive": 4.0, "webhook": 60.0, "backfill": 60.0}
PASSTHROUGH_METHODS = ("GET", "POST", "PUT", "DELETE")
PASSTHROUGH_HEADERS = {"accept": "Accept", "content-type": "Content-Type"}
MAX_PASSTHROUGH_VALUE = 1000
MAX_QUERY_PARAMETERS = 50
EARLIEST_DATE = date(1990, 1, 1)


@dataclass
class Download:
    """A streamed binary answer; close it (or use it as a context manager)."""

    content_type: str
    filename: str | None
    size: int | None
    response: requests.Response = field(repr=False)

    def iter_content(self, chunk_size: int = 65536) -> Iterator[bytes]:
        return self.response.iter_content(chunk_size)

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> "Download":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Counter:
    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def add(self) -> None:
        with self._lock:
            self.value += 1


class _BearerKey(requests.auth.AuthBase):
    """Adds the key to each request as it is prepared, so no session header, repr or frame summary holds it."""

    __slots__ = ("_key",)

    def __init__(self, key: str) -> None:
        self._key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._key}"
        return request

    def __repr__(self) -> str:
        return "_BearerKey(********)"


class Lexoffice:
    def __init__(
        self,
        api_key: str,
        base_url: str | None = None,
        *,
        lane: str = "interactive",
        rate: float | None = None,
        timeout: float | None = None,
        max_attempts: int = 6,
        max_retry_seconds: float | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        if lane not in LANES:
            raise ValueError(f"unknown lane {lane!r}")
        self._base_url = resolved_base_url(base_url)  # raises BaseUrlNotAllowed before anything is sent
        self._bucket = bucket_id(api_key, self._base_url)
        self._session = requests.Session()
        self._session.auth = _BearerKey(api_key)
        self._session.headers["User-Agent"] = "Lexhub"
        self._lane = lane
        self._rate = settings.LEXOFFICE_RATE_LIMIT if rate is None else rate
        self._timeout = (CONNECT_TIMEOUT, timeout or settings.LEXOFFICE_TIMEOUT_SECONDS + 5)
        self._max_attempts = max_attempts
        self._max_retry_seconds = LANE_PATIENCE[lane] if max_retry_seconds is None else max_retry_seconds
        self._limiter = limiter or get_limiter()
        self._counter = _Counter()

    def __repr__(self) -> str:
        return f"Lexoffice({self._base_url!r}, lane={self._lane!r})"

    @property
    def requests_sent(self) -> int:
        return self._counter.value

    @property
    def base_url(self) -> str:
        return self._base_url

    # --- profile and master data ---------------------------------------------------------------

    def profile(self) -> Json:
        return self._object("GET", "/v1/profile")

    def posting_categories(self) -> list[Json]:
        return self._list("GET", "/v1/posting-categories")

    def countries(self) -> list[Json]:
        return self._list("GET", "/v1/countries")

    def payment_conditions(self) -> list[Json]:
        return self._list("GET", "/v1/payment-conditions")

    def print_layouts(self) -> list[Json]:
        return self._list("GET", "/v1/print-layouts")

    # --- contacts ------------------------------------------------------------------------------

    def contacts(
        self,
        *,
        email: str | None = None,
        name: str | None = None,
        number: int | None = None,
        customer: bool | None = None,
        vendor: bool | None = None,
        page: int = 0,
        size: int = PAGE_SIZE,
    ) -> Json:
        """One page of contacts. `email`/`name` are substring patterns (`_`, `%` wildcards)."""
        params = {
            "email": search_term(email),
            "name": search_term(name),
            "number": number,
            "customer": _bool(customer),
            "vendor": _bool(vendor),
            "page": page,
            "size": size,
        }
        return self._object("GET", "/v1/contacts", params=params)

    def iter_contacts(self, **filters: Any) -> Iterator[Json]:
        page = 0
        while True:
            envelope = self.contacts(**filters, page=page, size=PAGE_SIZE)
            yield from _content(envelope)
            if envelope.get("last", True) or not envelope.get("content"):
                return
            page += 1

    def contact(self, contact_id: str) -> Json:
        return self._object("GET", f"/v1/contacts/{_id(contact_id)}")

    def create_contact(self, payload: Json) -> Json:
        return self._object("POST", "/v1/contacts", json=payload)

    def update_contact(self, contact_id: str, payload: Json) -> Json:
        return self._object("PUT", f"/v1/contacts/{_id(contact_id)}", json=payload)

    # --- voucher list --------------------------------------------------------------------------

    def voucherlist(
        self,
        *,
        voucher_type: str = "any",
        voucher_status: str = "any",
        archived: bool | None = None,
        contact_id: str | None = None,
        voucher_date_from: date | None = None,
        voucher_date_to: date | None = None,
        created_date_from: date | None = None,
        created_date_to: date | None = None,
        updated_date_from: date | None = None,
        updated_date_to: date | None = None,
        voucher_number: str | None = None,
        sort: str | None = None,
        page: int = 0,
        size: int = PAGE_SIZE,
    ) -> Json:
        params = {
            "voucherType": voucher_type,
            "voucherStatus": voucher_status,
            "archived": _bool(archived),
            "contactId": contact_id,
            "voucherDateFrom": _day(voucher_date_from),
            "voucherDateTo": _day(voucher_date_to),
            "createdDateFrom": _day(created_date_from),
            "createdDateTo": _day(created_date_to),
            "updatedDateFrom": _day(updated_date_from),
            "updatedDateTo": _day(updated_date_to),
            "voucherNumber": search_term(voucher_number),
            "sort": sort,
            "page": page,
            "size": size,
        }
        return self._object("GET", "/v1/voucherlist", params=params)

    def iter_voucherlist(self, **filters: Any) -> Iterator[Json]:
        """Every matching entry. A query reaching the 10,000-entry search window is split into date
        windows (by voucher date, or by updated date when `updated_date_from` is given) until each
        window fits, so the walk never asks for a page beyond the window."""
        by = "updated_date" if filters.get("updated_date_from") else "voucher_date"
        low = filters.pop(f"{by}_from", None) or EARLIEST_DATE
        high = filters.pop(f"{by}_to", None) or date.today() + timedelta(days=3660)
        yield from self._walk_window(filters, by, low, high)

    def _walk_window(self, filters: dict[str, Any], by: str, low: date, high: date) -> Iterator[Json]:
        window = {**filters, f"{by}_from": low, f"{by}_to": high}
        first = self.voucherlist(**window, page=0, size=PAGE_SIZE)
        total = first.get("totalElements") or 0
        if total >= SEARCH_WINDOW and low < high:
            middle = low + (high - low) // 2
            yield from self._walk_window(filters, by, low, middle)
            yield from self._walk_window(filters, by, middle + timedelta(days=1), high)
            return
        if total >= SEARCH_WINDOW:
            log.warning(
                "more than %s vouchers on %s; only the first %s are reachable", SEARCH_WINDOW, low, SEARCH_WINDOW
            )
        yield from _content(first)
        page = 1
        while not first.get("last", True) and page * PAGE_SIZE < SEARCH_WINDOW:
            envelope = self.voucherlist(**window, page=page, size=PAGE_SIZE)
            yield from _content(envelope)
            if envelope.get("last", True) or not envelope.get("content"):
                return
            page += 1

    # --- bookkeeping vouchers and files --------------------------------------------------------

    def voucher(self, voucher_id: str) -> Json:
        return self._object("GET", f"/v1/vouchers/{_id(voucher_id)}")

    def create_voucher(self, payload: Json) -> Json:
        return self._object("POST", "/v1/vouchers", json=payload)

    def update_voucher(self, voucher_id: str, payload: Json) -> Json:
        return self._object("PUT", f"/v1/vouchers/{_id(voucher_id)}", json=payload)

    def vouchers_by_number(self, voucher_number: str) -> list[Json]:
        envelope = self._object("GET", "/v1/vouchers", params={"voucherNumber": search_term(voucher_number)})
        return _content(envelope)

    def upload_voucher_file(self, voucher_id: str, *, filename: str, fileobj: BinaryIO, content_type: str) -> Json:
        return self._object(
            "POST", f"/v1/vouchers/{_id(voucher_id)}/files", files={"file": (filename, fileobj, content_type)}
        )

    def upload_file(self, *, filename: str, fileobj: BinaryIO, content_type: str) -> Json:
        """POST /v1/files (type=voucher): Lexoffice creates a voucher for it; returns {id, voucherId}."""
        return self._object(
            "POST", "/v1/files", files={"file": (filename, fileobj, content_type)}, data={"type": "voucher"}
        )

    def download_file(self, file_id: str, *, accept: str = "*/*") -> Download:
        return self._download(f"/v1/files/{_id(file_id)}", accept)

    def payments(self, voucher_id: str) -> Json:
        return self._object("GET", f"/v1/payments/{_id(voucher_id)}")

    # --- sales documents -----------------------------------------------------------------------

    def sales_document(self, kind: str, document_id: str) -> Json:
        return self._object("GET", f"/v1/{_kind(kind)}/{_id(document_id)}")

    def invoice(self, invoice_id: str) -> Json:
        return self.sales_document("invoices", invoice_id)

    def render_document(self, kind: str, document_id: str) -> str:
        """The deprecated render call; returns the documentFileId."""
        return str(self._object("GET", f"/v1/{_kind(kind)}/{_id(document_id)}/document")["documentFileId"])

    def download_document(self, kind: str, document_id: str, *, accept: str = "*/*") -> Download:
        return self._download(f"/v1/{_kind(kind)}/{_id(document_id)}/file", accept)

    def create_sales_document(
        self, kind: str, payload: Json, *, finalize: bool = False, preceding_id: str | None = None
    ) -> Json:
        """POST a new sales document (a draft unless `finalize`); `preceding_id` pursues an existing one.
        Returns the action result {id, resourceUri, createdDate, updatedDate, version}."""
        params = {
            "finalize": "true" if finalize else None,
            "precedingSalesVoucherId": _id(preceding_id) if preceding_id else None,
        }
        return self._object("POST", f"/v1/{_kind(kind)}", params=params, json=payload)

    def create_invoice(self, payload: Json, *, finalize: bool = False, preceding_id: str | None = None) -> Json:
        return self.create_sales_document("invoices", payload, finalize=finalize, preceding_id=preceding_id)

    # --- articles and recurring templates ------------------------------------------------------

    def articles(
        self,
        *,
        article_number: str | None = None,
        gtin: str | None = None,
        article_type: str | None = None,
        page: int = 0,
        size: int = PAGE_SIZE,
    ) -> Json:
        """One page of articles; the filters match exactly."""
        params = {"articleNumber": article_number, "gtin": gtin, "type": article_type, "page": page, "size": size}
        return self._object("GET", "/v1/articles", params=params)

    def article(self, article_id: str) -> Json:
        return self._object("GET", f"/v1/articles/{_id(article_id)}")

    def create_article(self, payload: Json) -> Json:
        return self._object("POST", "/v1/articles", json=payload)

    def update_article(self, article_id: str, payload: Json) -> Json:
        return self._object("PUT", f"/v1/articles/{_id(article_id)}", json=payload)

    def delete_article(self, article_id: str) -> None:
        self._send("DELETE", f"/v1/articles/{_id(article_id)}")

    def recurring_templates(self, *, sort: str | None = None, page: int = 0, size: int = PAGE_SIZE) -> Json:
        return self._object("GET", "/v1/recurring-templates", params={"sort": sort, "page": page, "size": size})

    def recurring_template(self, template_id: str) -> Json:
        return self._object("GET", f"/v1/recurring-templates/{_id(template_id)}")

    # --- event subscriptions -------------------------------------------------------------------

    def event_subscriptions(self) -> list[Json]:
        return _content(self._object("GET", "/v1/event-subscriptions"))

    def event_subscription(self, subscription_id: str) -> Json:
        return self._object("GET", f"/v1/event-subscriptions/{_id(subscription_id)}")

    def create_event_subscription(self, *, event_type: str, callback_url: str) -> Json:
        return self._object(
            "POST", "/v1/event-subscriptions", json={"eventType": event_type, "callbackUrl": callback_url}
        )

    def delete_event_subscription(self, subscription_id: str) -> None:
        self._send("DELETE", f"/v1/event-subscriptions/{_id(subscription_id)}")

    # --- passthrough ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        body: bytes | str | dict[str, Any] | list[Any] | None = None,
    ) -> requests.Response:
        """'Make an API call': any /v1/ path of this connection; the answer is returned as it is
        (no exception for 4xx/5xx, no redirect followed). Raises PassthroughRejected for a request
        that could leave this connection's host or change its authorization."""
        method = _passthrough_method(method)
        path = _passthrough_path(path)
        kwargs: dict[str, Any] = {
            "params": _passthrough_query(query),
            "headers": _passthrough_headers(headers or {}),
            **_passthrough_body(body),
        }
        url = self._base_url + path
        if urlsplit(url).netloc != urlsplit(self._base_url).netloc:
            raise PassthroughRejected("the path must stay on this connection's host")
        return self._send(method, path, raise_errors=False, **kwargs)

    # --- the one private request method --------------------------------------------------------

    def _object(self, method: str, path: str, **kwargs: Any) -> Json:
        """A JSON object answer; any other shape is Lexoffice's error, reported once, here at the edge."""
        data = self._json(method, path, **kwargs)
        if not isinstance(data, dict):
            raise ServerError("Lexoffice answered with JSON that is not an object", path=path)
        return data

    def _list(self, method: str, path: str, **kwargs: Any) -> list[Json]:
        data = self._json(method, path, **kwargs)
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise ServerError("Lexoffice answered with JSON that is not a list of objects", path=path)
        return data

    def _json(self, method: str, path: str, **kwargs: Any) -> object:
        response = self._send(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise ServerError(
                "Lexoffice answered with a body that is not JSON", status=response.status_code, path=path
            ) from None

    def _download(self, path: str, accept: str) -> Download:
        response = self._send("GET", path, headers={"Accept": accept}, stream=True)
        return Download(
            content_type=response.headers.get("Content-Type", "application/octet-stream"),
            filename=_filename(response.headers.get("Content-Disposition", "")),
            size=int(response.headers["Content-Length"])
            if response.headers.get("Content-Length", "").isdigit()
            else None,
            response=response,
        )

    def _send(self, method: str, path: str, *, raise_errors: bool = True, **kwargs: Any) -> requests.Response:
        headers = {"Accept": "application/json", **(kwargs.pop("headers", None) or {})}
        files = kwargs.get("files")
        deadline = time.monotonic() + self._max_retry_seconds
        attempt = 0
        while True:
            attempt += 1
            waited = self._limiter.acquire(
                self._bucket, rate=self._rate, lane=self._lane, max_wait=LANE_MAX_WAIT[self._lane]
            )
            if files:
                for _name, (_filename, fileobj, _type) in files.items():
                    fileobj.seek(0)  # a repeat after 429 sends the whole file again
            started = time.monotonic()
            try:
                response = self._session.request(
                    method,
                    self._base_url + path,
                    headers=headers,
                    timeout=self._timeout,
                    allow_redirects=False,
                    **kwargs,
                )
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                sent = _was_sent(exc)
                if sent:
                    self._counter.add()
                log.info(
                    "%s %s: no answer (%s) after %.0f ms",
                    method,
                    path,
                    type(exc).__name__,
                    (time.monotonic() - started) * 1000,
                )
                if method == "POST" and sent:
                    raise MaybeExecuted("the connection failed after the request was sent", path=path) from None
                if self._may_retry(attempt, deadline, None):
                    continue
                raise TransportError(f"Lexoffice could not be reached ({type(exc).__name__})", path=path) from None
            self._counter.add()
            log.debug(
                "%s %s -> %s in %.0f ms (lane %s, waited %.0f ms for a slot)",
                method,
                path,
                response.status_code,
                (time.monotonic() - started) * 1000,
                self._lane,
                waited * 1000,
            )
            status = response.status_code
            if status < 400:
                return response
            retryable = status == 429 or (status >= 500 and method != "POST")
            if retryable and self._may_retry(attempt, deadline, response):
                response.close()
                continue
            if not raise_errors:
                return response
            if status >= 500 and method == "POST":
                error = error_for(response, path)
                raise MaybeExecuted(error.message, status=status, path=path, body=error.body)
            raise error_for(response, path)

    def _may_retry(self, attempt: int, deadline: float, response: requests.Response | None) -> bool:
        """Sleep before the next attempt if one is allowed; exponential backoff, full jitter."""
        if attempt >= self._max_attempts:
            return False
        delay = random.uniform(0, min(8.0, 0.25 * 2**attempt))
        retry_after = response.headers.get("Retry-After", "") if response is not None else ""
        if retry_after.strip().isdigit():
            delay = max(delay, float(retry_after))
        if time.monotonic() + delay > deadline:
            return False
        time.sleep(delay)
        return True


def _was_sent(exc: requests.RequestException) -> bool:
    """False only when the request certainly never reached the server."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return not isinstance(reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError)


def search_term(value: str | None) -> str | None:
    """Lexoffice matches HTML-encoded text: encode & < > first; requests then URL-encodes."""
    if value is None:
        return None
    return html.escape(value, quote=False)


def _bool(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def _day(value: date | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()[:10]


UUIDISH = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def _content(envelope: Json) -> list[Json]:
    """The records of a paged answer (`content`), checked to be objects."""
    content = envelope.get("content") or []
    if not isinstance(content, list) or not all(isinstance(item, dict) for item in content):
        raise ServerError("Lexoffice answered with a page whose content is not a list of objects")
    return content


def _id(value: object) -> str:
    """Ids go into paths: allow only what an id can contain, so no id can change the path."""
    text = str(value)
    if not UUIDISH.match(text):
        raise ValueError("not a valid Lexoffice id")
    return text


def _kind(kind: str) -> str:
    if kind not in SALES_KINDS:
        raise ValueError(f"unknown sales document kind {kind!r}")
    return kind


def _filename(disposition: str) -> str | None:
    match = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', disposition)
    return unquote(match.group(1)).strip() if match else None


def _passthrough_method(method: object) -> str:
    if not isinstance(method, str):
        raise PassthroughRejected(f"method must be one of {', '.join(PASSTHROUGH_METHODS)}")
    upper = (method or "").strip().upper()
    if upper not in PASSTHROUGH_METHODS or method != method.strip():
        raise PassthroughRejected(f"method must be one of {', '.join(PASSTHROUGH_METHODS)}")
    return upper


def _passthrough_path(path: str) -> str:
    if not isinstance(path, str) or not path.startswith("/v1/"):
        raise PassthroughRejected("the path must be relative and start with /v1/")
    if not path.isascii() or any(ord(ch) < 33 or ord(ch) == 127 for ch in path):
        raise PassthroughRejected(
            "the path must not contain spaces, control characters or non-ASCII characters (percent-encode them)"
        )
    decoded = path
    for _ in range(5):  # undo layered percent-encoding before looking for tricks
        decoded, previous = unquote(decoded), decoded
        if decoded == previous:
            break
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in decoded):
        raise PassthroughRejected("the path must not contain encoded control characters")
    forbidden = ("\\", "//", "@", "?", "#", "%")
    if any(token in decoded for token in forbidden) or any(part in (".", "..") for part in decoded.split("/")):
        raise PassthroughRejected("the path must not contain '..', '//', '@', '\\', '?', '#' or encoded forms")
    return path


def _passthrough_headers(headers: object) -> dict[str, str]:
    if not isinstance(headers, dict):
        raise PassthroughRejected("headers must be an object of names and values")
    allowed = {}
    for name, value in headers.items():
        canonical = PASSTHROUGH_HEADERS.get(str(name).lower())
        if canonical is None:
            raise PassthroughRejected(f"header {str(name)[:40]!r} cannot be set; allowed: Accept, Content-Type")
        allowed[canonical] = _sendable_text(value, "header values", latin1=True)
    return allowed


def _passthrough_query(query: object) -> dict[str, str] | None:
    if query is None:
        return None
    if not isinstance(query, dict):
        raise PassthroughRejected("the query must be an object of names and values")
    if len(query) > MAX_QUERY_PARAMETERS:
        raise PassthroughRejected(f"at most {MAX_QUERY_PARAMETERS} query parameters")
    return {_sendable_text(name, "query names"): _sendable_text(value, "query values") for name, value in query.items()}


def _passthrough_body(body: object) -> Json:
    if body is None:
        return {}
    if isinstance(body, dict | list):
        return {"json": body}
    if isinstance(body, str):
        try:
            return {"data": body.encode()}
        except UnicodeEncodeError:
            raise PassthroughRejected("the body is not valid UTF-8 text") from None
    if isinstance(body, bytes):
        return {"data": body}
    raise PassthroughRejected("the body must be text, JSON or bytes")


def _sendable_text(value: object, what: str, *, latin1: bool = False) -> str:
    """Text that http.client can send as it is: refused here with a message, not as a 500 deep inside it."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PassthroughRejected(f"{what} must be text")
    text = str(value)
    if len(text) > MAX_PASSTHROUGH_VALUE:
        raise PassthroughRejected(f"{what} must be at most {MAX_PASSTHROUGH_VALUE} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise PassthroughRejected(f"{what} must not contain control characters")
    try:
        text.encode("latin-1" if latin1 else "utf-8")
    except UnicodeEncodeError:
        detail = "only Latin-1 characters" if latin1 else "valid Unicode text"
        raise PassthroughRejected(f"{what} may contain {detail}") from None
    return text
