"""The MCP server over streamable HTTP: an ASGI application at /mcp behind a token gate.

Lexhub's web process is WSGI (runserver, waitress or gunicorn), and streamable HTTP needs an ASGI server
(a task group that lives as long as the process, streamed responses): so `manage.py mcp --http` serves
this application with uvicorn as a process of its own (Procfile: `mcp`, port 8001), put behind the same
reverse proxy, TLS and host names as the rest at /mcp. It is stateless (every POST stands alone, answered
with JSON): any number of these processes can run behind a load balancer.

The gate answers 401 before the SDK sees a request without a valid token, 429 to one beyond the token's
budget (LEXHUB_API_THROTTLE, shared with the REST API), and leaves the token's principal in the request's
ASGI scope for the tool call it carries (assistants.principal.principal_of_call).
"""

import json
import math

import anyio.to_thread
from django.conf import settings
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Receive, Scope, Send

from assistants.principal import SCOPE_KEY, Refused, authenticate, token_from_header
from assistants.server import build_server
from web.api import TokenRateThrottle

PATH = "/mcp"
MAX_BODY = 8 * 1024 * 1024  # a receipt of 5 MiB, base64, in a tools/call


def transport_security() -> TransportSecuritySettings:
    """Django's ALLOWED_HOSTS decide the Host headers here too (the SDK's DNS-rebinding guard)."""
    hosts = list(settings.ALLOWED_HOSTS)
    if "*" in hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    allowed = [pattern for host in hosts for pattern in (host, f"{host}:*")]
    origins = [settings.PUBLIC_BASE_URL, *settings.CSRF_TRUSTED_ORIGINS]
    return TransportSecuritySettings(allowed_hosts=allowed, allowed_origins=origins)


class TokenGate:
    """Refuses HTTP requests without a valid API token (401, as the REST API does), and those beyond the
    token's budget (429): one budget per token, spent by its REST and its MCP requests alike."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
            token = token_from_header(headers.get("authorization"))
            try:
                principal = await anyio.to_thread.run_sync(authenticate, token)
            except Refused as refused:
                await refuse(send, 401, "authentication_failed", str(refused), WWW_AUTHENTICATE)
                return
            throttle = TokenRateThrottle()
            if throttle.rate is not None:
                allowed = await anyio.to_thread.run_sync(throttle.allow, throttle.token_cache_key(principal.token))
                if not allowed:
                    wait = str(max(1, math.ceil(throttle.wait())))
                    message = f"Too many requests for this token; retry in {wait} seconds."
                    await refuse(send, 429, "throttled", message, (b"retry-after", wait.encode()))
                    return
            scope[SCOPE_KEY] = principal
        await self.app(scope, receive, send)


WWW_AUTHENTICATE = (b"www-authenticate", b'Bearer realm="lexhub"')


async def refuse(send: Send, status: int, code: str, message: str, header: tuple[bytes, bytes]) -> None:
    body = json.dumps({"code": code, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                header,
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def application() -> ASGIApp:
    app = build_server().streamable_http_app(
        streamable_http_path=PATH,
        stateless_http=True,
        json_response=True,
        transport_security=transport_security(),
        max_request_body_size=MAX_BODY,
    )
    return TokenGate(app)
