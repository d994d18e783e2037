"""Fault injection (per request or by rule): statuses with or without Retry-After, the gateway's
500 rate-limit disguise, dropped connections, added latency, 504 after applying the write."""

import json
import re
from dataclasses import dataclass

from werkzeug.wrappers import Response


@dataclass
class FaultRule:
    path: re.Pattern
    method: str | None
    rate: float
    kind: str
    status: int = 500
    retry_after: int | None = None
    apply_write: bool = False
    latency_ms: int = 0
    count: int | None = None
    api_key: str | None = None


class DroppedConnection(Exception):
    """Raised inside the body iterator: the server closes the connection mid-answer."""


FAULT_MESSAGES = {429: "Too Many Requests", 500: None, 502: "Bad Gateway", 503: None, 504: "Endpoint request timed out"}


def fault_response(rule: FaultRule) -> Response:
    if rule.kind == "drop":

        def broken():
            yield b'{"partial": '
            raise DroppedConnection("sandbox fault: connection dropped")

        return Response(broken(), status=200, headers={"Content-Type": "application/json", "Content-Length": "4096"})
    if rule.kind == "rate_limit_500":
        return _json_response(500, {"message": "Internal server error or rate limit exceeded"})
    headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else None
    return _json_response(rule.status, {"message": FAULT_MESSAGES.get(rule.status, "Fault")}, headers)


def fault_rules(spec: list[dict], api_key: str | None) -> list[FaultRule]:
    return [
        FaultRule(
            path=re.compile(item.get("path") or "."),
            method=item.get("method"),
            rate=float(item.get("rate", 1.0)),
            kind=item.get("kind", "status"),
            status=int(item.get("status", 500)),
            retry_after=item.get("retryAfter"),
            apply_write=bool(item.get("applyWrite")),
            latency_ms=int(item.get("latencyMs", 0)),
            count=item.get("count"),
            api_key=item.get("apiKey") or api_key,
        )
        for item in spec
    ]


def _json_response(status: int, body: object, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)
