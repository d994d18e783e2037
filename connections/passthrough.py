"""'Make an API call': an owner's authorized request to any /v1/ path of their own connection."""

from dataclasses import dataclass
from typing import Any

from connections.models import Connection
from connections.writes import WriteError, audit
from lexoffice.client import LexofficeError, PassthroughRejected

MAX_RESPONSE_BYTES = 10 * 1024 * 1024
SAFE_RESPONSE_HEADERS = ("Content-Type", "Content-Length", "Content-Disposition", "Location")


@dataclass(frozen=True)
class PassthroughResult:
    status: int
    headers: dict[str, str]
    body: bytes
    content_type: str


def call_api(
    *,
    connection: Connection,
    user: Any,  # the request\'s user (anonymous or None allowed)
    method: str,
    path: str,
    query: dict | None = None,
    headers: dict | None = None,
    body: bytes | str | dict | None = None,
) -> PassthroughResult:
    """Send one request through the connection's client (same limiter, no redirects) and audit it."""
    if user is None or not user.is_authenticated or connection.owner_id != user.pk:
        raise WriteError("Only the connection's owner can make API calls with it.", status=403)
    client = connection.client()
    try:
        response = client.request(method, path, query=query, headers=headers, body=body)
    except PassthroughRejected as exc:
        audit(
            connection=connection,
            user=user,
            action="api_call",
            method=method[:10],
            path=path[:500],
            payload=body if body is not None else b"",
            status=None,
            result="refused",
            message=str(exc),
        )
        raise WriteError(str(exc), {"path": [str(exc)]}, status=400) from None
    except LexofficeError as exc:
        audit(
            connection=connection,
            user=user,
            action="api_call",
            method=method,
            path=path,
            payload=body if body is not None else b"",
            status=exc.status,
            result="failed",
            message=str(exc),
        )
        raise WriteError(f"Lexoffice could not be reached ({exc.status or 'no response'}).", status=502) from None
    content = response.content[:MAX_RESPONSE_BYTES]
    audit(
        connection=connection,
        user=user,
        action="api_call",
        method=method.upper(),
        path=path,
        payload=body if body is not None else b"",
        status=response.status_code,
        result="ok" if response.status_code < 400 else "error",
    )
    return PassthroughResult(
        status=response.status_code,
        headers={name: response.headers[name] for name in SAFE_RESPONSE_HEADERS if name in response.headers},
        body=content,
        content_type=response.headers.get("Content-Type", ""),
    )
