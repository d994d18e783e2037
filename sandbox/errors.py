"""The three error body formats of Lexoffice (§4) and the exception that carries one."""

import json
import uuid

from sandbox.clock import now_text

REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    def __init__(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}

    def payload(self) -> bytes:
        return b"" if self.body is None else json.dumps(self.body).encode()


def legacy(status: int, *issues: tuple[str | None, str, str]) -> ApiError:
    """Legacy IssueList: issues are (source, i18nKey, type)."""
    return ApiError(
        status,
        {
            "requestId": str(uuid.uuid4()),
            "IssueList": [
                {"i18nKey": key, "source": source, "type": kind, "additionalData": None, "args": None}
                for source, key, kind in issues
            ],
        },
    )


def invalid(status: int, source: str | None, key: str) -> ApiError:
    kind = "validation_failure" if status == 406 else "bad_request_error" if status == 400 else "technical_error"
    return legacy(status, (source, key, kind))


def regular(status: int, path: str, message: str, details: list[dict] | None = None) -> ApiError:
    body = {
        "timestamp": now_text(),
        "status": status,
        "error": REASONS.get(status, "Error"),
        "path": path,
        "traceId": uuid.uuid4().hex[:12],
        "message": message,
    }
    if details:
        body["details"] = details
    return ApiError(status, body)
