"""How the client sends: the shared budget, timeouts, retries and turning answers into JSON or errors.

Every request of a client goes through `Transport._send`, which waits for a slot of the key's shared
budget (lexoffice.ratelimit), sets timeouts, retries what is safe to retry and turns error answers
into the classes of lexoffice.errors. The key never reaches repr, logs or exceptions.

Retry rules: 429 is always retried (Lexoffice executed nothing). 5xx, timeouts and dropped
connections are retried for GET, PUT and DELETE (PUT carries a version, so a repeat cannot
overwrite a newer record). A POST is never repeated after it may have reached Lexoffice: a 5xx, a
timeout after sending or a dropped connection raises MaybeExecuted, and the caller looks the record
up before trying again (see connections.writes). A POST that was refused before sending (connection
refused, connect timeout) is retried like any other request.
"""

import logging
import random
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import requests
import urllib3
from django.conf import settings

from lexoffice.errors import MaybeExecuted, ServerError, TransportError, error_for
from lexoffice.hosts import resolved_base_url
from lexoffice.ratelimit import LANES, RateLimiter, bucket_id, get_limiter

__all__ = ["CONNECT_TIMEOUT", "LANE_MAX_WAIT", "LANE_PATIENCE", "Download", "Json", "Transport"]

# The client's one logger, under the name logging settings and readers of the logs know.
log = logging.getLogger("lexoffice.client")

Json = dict[str, Any]  # a parsed Lexoffice answer; its shape is checked where it is used

CONNECT_TIMEOUT = 5.0
# How long a caller of each lane may wait for its slot of the budget.
LANE_MAX_WAIT = {"interactive": 30.0, "webhook": 120.0, "backfill": 600.0}
# How long retries of one request may go on. A person waits on the interactive lane: after a few seconds
# a write is better queued in the outbox (and a read better answered with an error) than left hanging.
LANE_PATIENCE = {"interactive": 4.0, "webhook": 60.0, "backfill": 60.0}


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


class Transport:
    """One API key's session with Lexoffice; lexoffice.client.Lexoffice adds the operations."""

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
        return f"{type(self).__name__}({self._base_url!r}, lane={self._lane!r})"

    @property
    def requests_sent(self) -> int:
        return self._counter.value

    @property
    def base_url(self) -> str:
        return self._base_url

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


def _filename(disposition: str) -> str | None:
    match = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', disposition)
    return unquote(match.group(1)).strip() if match else None
