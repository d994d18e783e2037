"""'Make an API call': crafted paths and headers never reach another host; redirects are not followed."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connections.models import AuditLog, Connection
from connections.passthrough import call_api
from connections.writes import WriteError
from harness.processes import free_port

pytestmark = pytest.mark.django_db


class Recorder(BaseHTTPRequestHandler):
    hits: list[str]

    def _answer(self) -> None:
        self.hits.append(f"{self.command} {self.path}")
        if self.path.startswith("/v1/redirect"):
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.other_port}/stolen")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def servers():
    """A stand-in 'Lexoffice' (the connection's base URL) and an 'other host' that must never be hit."""
    started = []
    other_port = free_port()
    for port, name in ((free_port(), "base"), (other_port, "other")):
        handler = type(f"{name}Handler", (Recorder,), {"hits": [], "other_port": other_port})
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append((server, handler))
    yield {name: (server, handler) for name, (server, handler) in zip(("base", "other"), started, strict=True)}
    for server, _handler in started:
        server.shutdown()


CRAFTED_PATHS = [
    "http://127.0.0.1:{other}/v1/contacts",
    "https://127.0.0.1:{other}/v1/x",
    "//127.0.0.1:{other}/v1/contacts",
    "///127.0.0.1:{other}/v1",
    "/v1/@127.0.0.1:{other}/x",
    "@127.0.0.1:{other}/v1/x",
    "/v1/..//127.0.0.1:{other}",
    "\\\\127.0.0.1:{other}\\v1",
    "/v1\\..\\..\\x",
    "/v1/%2e%2e/%2e%2e/x",
    "/v1/%2E%2E/x",
    "/v1/..%2fx",
    "/v1/%252e%252e/x",
    "/v1/contacts\r\nHost: 127.0.0.1:{other}",
    "/v1/x\nX-Evil: 1",
    "/v1/x%0d%0aHost:%20evil",
    "v1/contacts",
    "/v2/contacts",
    "/admin",
    "",
    " ",
    "/v1/../admin",
    "/v1/./../x",
    "ftp://127.0.0.1:{other}/v1",
    "/v1/x#@127.0.0.1:{other}",
    "/v1/x?next=//127.0.0.1:{other}",
    "file:///etc/passwd",
    "/v1/\x00x",
    "javascript:alert(1)",
    "http:127.0.0.1:{other}/v1",
    "/\t/127.0.0.1:{other}/v1",
    "/v1/%00",
]


def test_crafted_requests_reach_only_the_connections_base_url(connection, alice, servers, settings) -> None:
    base, base_handler = servers["base"]
    _other, other_handler = servers["other"]
    other = other_handler.other_port
    settings.LEXOFFICE_API_BASE_URLS = [f"http://127.0.0.1:{base.server_address[1]}"]
    Connection.objects.filter(pk=connection.pk).update(base_url=f"http://127.0.0.1:{base.server_address[1]}")
    connection.refresh_from_db()
    attempts = []
    for template in CRAFTED_PATHS:
        for method in ("GET", "POST", "PUT"):
            attempts.append({"method": method, "path": template.format(other=other)})
    for header in ("Authorization", "Host", "authorization", "Cookie", "X-Forwarded-Host", "Proxy-Authorization"):
        attempts.append({"method": "GET", "path": "/v1/profile", "headers": {header: f"127.0.0.1:{other}"}})
    attempts += [{"method": method, "path": "/v1/profile"} for method in ("TRACE", "CONNECT", "OPTIONS", "PATCH ")]
    attempts.append({"method": "GET", "path": "/v1/redirect"})
    assert len(attempts) >= 100

    outcomes = []
    for attempt in attempts:
        try:
            result = call_api(connection=connection, user=alice, **attempt)
            outcomes.append(result.status)
        except WriteError as exc:
            outcomes.append(exc.status)

    assert other_handler.hits == []  # 0 connections to the other host, 0 redirects followed
    assert all(hit.split(" ", 1)[1].startswith("/v1/") for hit in base_handler.hits)
    assert 302 in outcomes  # the redirect came back to the caller as it was
    assert AuditLog.objects.filter(action="api_call").count() == len(attempts)


def test_only_the_owner_may_make_api_calls(connection, bob) -> None:
    connection.members.add(bob)

    with pytest.raises(WriteError) as refused:
        call_api(connection=connection, user=bob, method="GET", path="/v1/profile")

    assert refused.value.status == 403
