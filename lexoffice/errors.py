"""Lexoffice errors: one class per kind of failure, carrying what a caller and a user need.

Lexoffice answers in three body formats (see shared/lexoffice-api.md §4): the gateway's
`{"message"}`, the legacy `{"IssueList": [...]}` of contacts/files/vouchers and the regular
`{"status", "error", "message", "details": [...]}`. All become `message` + `field_errors`.
Nothing here ever holds the API key.
"""

import requests


class LexofficeError(Exception):
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        path: str = "",
        field_errors: dict[str, list[str]] | None = None,
        body: object = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.path = path
        self.field_errors = field_errors or {}
        self.body = body

    def __str__(self) -> str:
        where = f" ({self.status} on {self.path})" if self.status else f" ({self.path})" if self.path else ""
        return f"{self.message}{where}"


class TransportError(LexofficeError):
    """No answer: connection refused, reset, timed out. Nothing is known to have happened."""

    retryable = True


class AuthenticationError(LexofficeError):
    """401: the key is missing, wrong, revoked or disabled."""


class PermissionDenied(LexofficeError):
    """402/403: the plan or the key's scopes do not allow this."""


class NotFound(LexofficeError):
    """404: no such resource (or an id of another resource type)."""


class ValidationFailed(LexofficeError):
    """400/406/415: the request was refused; `field_errors` says where."""


class Conflict(LexofficeError):
    """409: stale version, duplicate subscription, draft download."""


class RateLimited(LexofficeError):
    """429 after every retry; nothing was executed."""

    retryable = True


class ServerError(LexofficeError):
    """5xx after every retry."""

    retryable = True


class MaybeExecuted(ServerError):
    """A POST whose outcome is unknown (504, timeout or dropped connection after sending).

    Never send it again blindly: look up whether the record exists first.
    """


class PassthroughRejected(ValueError):
    """A 'make an API call' request that may not leave Lexhub (bad method, path or header)."""


def parse_error_body(response: requests.Response) -> tuple[str, dict[str, list[str]], object]:
    """(message, field errors, parsed body) from any of the three error formats."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()[:200]
        return text or (response.reason or f"HTTP {response.status_code}"), {}, text
    fields: dict[str, list[str]] = {}
    if isinstance(body, dict) and isinstance(body.get("IssueList"), list):
        for issue in body["IssueList"]:
            if not isinstance(issue, dict):
                continue
            key = issue.get("i18nKey") or issue.get("type") or "invalid"
            fields.setdefault(str(issue.get("source") or "__all__"), []).append(str(key))
        summary = "; ".join(f"{source}: {', '.join(keys)}" for source, keys in fields.items())
        return summary or "Lexoffice refused the request", fields, body
    if isinstance(body, dict):
        for detail in body.get("details") or []:
            if isinstance(detail, dict):
                message = detail.get("message") or detail.get("violation") or "invalid"
                fields.setdefault(str(detail.get("field") or "__all__"), []).append(str(message))
        message = body.get("message") or body.get("error") or response.reason or f"HTTP {response.status_code}"
        return str(message), fields, body
    return response.reason or f"HTTP {response.status_code}", {}, body


def error_for(response: requests.Response, path: str) -> LexofficeError:
    """The exception for an error response (after retries, where retries apply)."""
    status = response.status_code
    message, fields, body = parse_error_body(response)
    kind: type[LexofficeError]
    if status == 401:
        kind = AuthenticationError
    elif status in (402, 403):
        kind = PermissionDenied
    elif status == 404:
        kind = NotFound
    elif status == 409:
        kind = Conflict
    elif status == 429:
        kind = RateLimited
    elif status in (400, 405, 406, 415, 422):
        kind = ValidationFailed
    elif status >= 500:
        kind = ServerError
    else:
        kind = LexofficeError
    return kind(message, status=status, path=path, field_errors=fields, body=body)
