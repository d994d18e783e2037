"""A receiver for outgoing webhooks on a free loopback port, verifying every delivery with the
standardwebhooks library's own `Webhook.verify`, and an endpoint of alice's connection pointing at it."""

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from harness.processes import free_port


class Receiver:
    """Answers 204 to verified deliveries (400 to forged ones), 500 while `failing`; `stop()` closes the
    port (connections are refused) and `start()` opens it again. Each webhook-id is processed once:
    `processed` keeps the first payload per id, `duplicates` counts the repeats it acknowledged."""

    def __init__(self) -> None:
        self.port = free_port()
        self.secret = ""
        self.failing = False
        self.processed: dict[str, dict] = {}
        self.order: list[str] = []
        self.duplicates = 0
        self.forged = 0
        self.requests = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/lexhub"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver.handle(body, {key: value for key, value in self.headers.items()})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        with self._lock:
            self.requests += 1
            if self.failing:
                return 500
            try:
                payload = Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError:
                self.forged += 1
                return 400
            webhook_id = headers["webhook-id"]
            if webhook_id in self.processed:
                self.duplicates += 1
            else:
                self.processed[webhook_id] = payload
                self.order.append(webhook_id)
            return 204

    def payloads(self, event_type: str | None = None) -> list[dict]:
        with self._lock:
            found = [self.processed[webhook_id] for webhook_id in self.order]
        return [payload for payload in found if event_type is None or payload["type"] == event_type]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


def start_outgoing_worker(queue: str, log_path: Path, monkeypatch, **environment: str):
    """A real worker that may deliver to loopback (settings reach it through its environment), on a queue
    emptied first (drains a previous test left scheduled would run against this test's rows)."""
    from lexhub.celery import app as celery_app
    from tests.fixtures.app import start_worker

    monkeypatch.setenv("LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS", "127.0.0.0/8")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with contextlib.suppress(Exception):  # nothing to purge is fine
        celery_app.control.purge()
    return start_worker(queue, log_path)


@pytest.fixture
def allow_loopback(settings) -> None:
    settings.LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def endpoint(connection, alice, receiver, allow_loopback):
    from outgoing.services import create_endpoint

    created = create_endpoint(connection=connection, user=alice, url=receiver.url, event_types=["*"])
    receiver.secret = created.secret
    return created.endpoint


def dumped(value: object) -> object:
    """A value as it reads after a JSON round trip (what the receiver sees)."""
    return json.loads(json.dumps(value, default=str))
