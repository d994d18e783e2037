"""Checks of a passthrough request ('Make an API call'): what a user may send through a connection.

Everything here refuses with PassthroughRejected, whose message is safe to show, before anything is
sent: the request must stay on the connection's host, keep its authorization and be text that
http.client can send as it is (refused here with a message, not as a 500 deep inside it).
"""

from typing import Any
from urllib.parse import unquote, urlsplit

from lexoffice.errors import PassthroughRejected

__all__ = [
    "MAX_PASSTHROUGH_VALUE",
    "MAX_QUERY_PARAMETERS",
    "PASSTHROUGH_HEADERS",
    "PASSTHROUGH_METHODS",
    "request_arguments",
]

PASSTHROUGH_METHODS = ("GET", "POST", "PUT", "DELETE")
PASSTHROUGH_HEADERS = {"accept": "Accept", "content-type": "Content-Type"}
MAX_PASSTHROUGH_VALUE = 1000
MAX_QUERY_PARAMETERS = 50


def request_arguments(
    base_url: str, method: object, path: object, *, query: object, headers: object, body: object
) -> tuple[str, str, dict[str, Any]]:
    """The checked method, path and keyword arguments for `requests` of one passthrough request."""
    checked_method = _method(method)
    checked_path = _path(path)
    kwargs: dict[str, Any] = {
        "params": _query(query),
        "headers": _headers(headers or {}),
        **_body(body),
    }
    if urlsplit(base_url + checked_path).netloc != urlsplit(base_url).netloc:
        raise PassthroughRejected("the path must stay on this connection's host")
    return checked_method, checked_path, kwargs


def _method(method: object) -> str:
    if not isinstance(method, str):
        raise PassthroughRejected(f"method must be one of {', '.join(PASSTHROUGH_METHODS)}")
    upper = (method or "").strip().upper()
    if upper not in PASSTHROUGH_METHODS or method != method.strip():
        raise PassthroughRejected(f"method must be one of {', '.join(PASSTHROUGH_METHODS)}")
    return upper


def _path(path: object) -> str:
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


def _headers(headers: object) -> dict[str, str]:
    if not isinstance(headers, dict):
        raise PassthroughRejected("headers must be an object of names and values")
    allowed = {}
    for name, value in headers.items():
        canonical = PASSTHROUGH_HEADERS.get(str(name).lower())
        if canonical is None:
            raise PassthroughRejected(f"header {str(name)[:40]!r} cannot be set; allowed: Accept, Content-Type")
        allowed[canonical] = _sendable_text(value, "header values", latin1=True)
    return allowed


def _query(query: object) -> dict[str, str] | None:
    if query is None:
        return None
    if not isinstance(query, dict):
        raise PassthroughRejected("the query must be an object of names and values")
    if len(query) > MAX_QUERY_PARAMETERS:
        raise PassthroughRejected(f"at most {MAX_QUERY_PARAMETERS} query parameters")
    return {_sendable_text(name, "query names"): _sendable_text(value, "query values") for name, value in query.items()}


def _body(body: object) -> dict[str, Any]:
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
