"""Outgoing webhooks: changes fanned out to 5 endpoints on loopback by a real Celery worker.

Two runs of EVENTS changes each (contacts changed through the mirror's bulk_upsert, so events are stored
as in a sync): a burst, all at once, for deliveries per second (from the first change to the last
delivery received); then a steady stream at RATE changes per second, for the p99 time from a change
(its event's creation) to its arrival at a receiver. Receivers verify every delivery with the
standardwebhooks library and count each webhook-id once.
"""

import multiprocessing
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

from bench import env
from bench.rows import Row
from harness.processes import free_port

ENDPOINTS = 5
RATE = 40  # changes per second in the steady run: 200 deliveries per second offered


def _serve(ports: list[int], secrets: list[str], pipe, arrived_count) -> None:
    """The receivers, in a process of their own (another tool's machine, not the bench's GIL): one
    server per endpoint; each verified webhook-id's first arrival time is kept; `pipe` answers
    "arrivals" with them, "clear" empties them, "stop" ends the process."""
    arrived: dict[tuple[int, str], float] = {}  # (port, webhook-id) -> first arrival
    forged = [0]
    lock = threading.Lock()

    def handler(port: int, secret: str) -> type[BaseHTTPRequestHandler]:
        webhook = Webhook(secret)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                now = time.time()
                try:
                    webhook.verify(body, dict(self.headers.items()))
                except Exception:
                    forged[0] += 1
                    self.send_response(400)
                else:
                    with lock:
                        if (port, self.headers["webhook-id"]) not in arrived:
                            arrived[port, self.headers["webhook-id"]] = now
                            arrived_count.value += 1
                    self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    servers = [
        ThreadingHTTPServer(("127.0.0.1", port), handler(port, secret))
        for port, secret in zip(ports, secrets, strict=True)
    ]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    pipe.send("ready")
    while True:
        command = pipe.recv()
        if command == "arrivals":
            with lock:
                pipe.send(([(webhook_id, t) for (_, webhook_id), t in arrived.items()], forged[0]))
        elif command == "clear":
            with lock:
                arrived.clear()
                arrived_count.value = 0
            pipe.send("cleared")
        else:
            return


def _change(connection, ids: list[uuid.UUID], version: int) -> None:
    from connections.mirror import bulk_upsert
    from contacts.models import Contact

    rows = {}
    for lexoffice_id in ids:
        raw = {"id": str(lexoffice_id), "version": version, "company": {"name": f"Bench {lexoffice_id.hex[:6]}"}}
        rows[lexoffice_id] = {"name": raw["company"]["name"], "version": version, "raw": raw}
    bulk_upsert(model=Contact, connection=connection, rows=rows)


def _wait_for(arrived_count, expected: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while arrived_count.value < expected:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{arrived_count.value} of {expected} deliveries arrived")
        time.sleep(0.02)


def run(quick: bool) -> list[Row]:
    import os

    from django.conf import settings
    from django.contrib.auth import get_user_model

    from connections import crypto
    from connections.models import Connection
    from outgoing.models import Event
    from outgoing.services import create_endpoint

    events = 200 if quick else 1000
    batch = 10
    os.environ["LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS"] = "127.0.0.0/8"
    settings.LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    owner, _ = get_user_model().objects.get_or_create(username="bench")
    connection = Connection.objects.create(
        name=f"outgoing bench {uuid.uuid4().hex[:6]}", owner=owner, api_key_encrypted=crypto.encrypt("not-used")
    )
    ids = [uuid.uuid4() for _ in range(batch)]
    _change(connection, ids, 0)  # the records exist before anyone listens
    ports = [free_port() for _ in range(ENDPOINTS)]
    secrets = [
        create_endpoint(
            connection=connection, user=owner, url=f"http://127.0.0.1:{port}/hooks", event_types=["contact.*"]
        ).secret
        for port in ports
    ]
    context = multiprocessing.get_context("spawn")
    pipe, child_pipe = context.Pipe()
    arrived_count = context.Value("i", 0)
    receivers = context.Process(target=_serve, args=(ports, secrets, child_pipe, arrived_count), daemon=True)
    receivers.start()
    assert pipe.recv() == "ready"
    queue = f"bench-outgoing-{uuid.uuid4().hex[:6]}"
    from lexhub.celery import app as celery_app

    celery_app.conf.task_default_queue = queue
    try:
        with env.worker(queue, concurrency=ENDPOINTS):
            started = time.time()
            for version in range(1, events // batch + 1):
                _change(connection, ids, version)
            _wait_for(arrived_count, events * ENDPOINTS, timeout=300)
            pipe.send("arrivals")
            burst, _ = pipe.recv()
            burst_seconds = max(t for _, t in burst) - started

            pipe.send("clear")
            assert pipe.recv() == "cleared"
            first = Event.objects.filter(connection=connection).order_by("-pk").values_list("pk", flat=True)[0] + 1
            for version in range(events // batch + 1, 2 * events // batch + 1):
                tick = time.monotonic()
                _change(connection, ids, version)
                time.sleep(max(batch / RATE - (time.monotonic() - tick), 0))
            _wait_for(arrived_count, events * ENDPOINTS, timeout=300)
            pipe.send("arrivals")
            steady, forged = pipe.recv()
    finally:
        pipe.send("stop")
        receivers.join(timeout=10)
    created_at = {
        f"msg_{message_id.hex}": created.timestamp()
        for message_id, created in Event.objects.filter(connection=connection, pk__gte=first).values_list(
            "message_id", "created_at"
        )
    }
    latencies = sorted(t - created_at[webhook_id] for webhook_id, t in steady)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    rate = events * ENDPOINTS / burst_seconds
    print(f"   burst: {events * ENDPOINTS} deliveries in {burst_seconds:.1f}s; steady {RATE}/s: p99 {p99:.3f}s")
    return [
        Row(f"outgoing: {events} changes x {ENDPOINTS} endpoints, deliveries/s", 200, rate, "1/s", True),
        Row(f"outgoing: change -> delivery p99 at {RATE} changes/s", 1.0, p99, "s"),
        Row("outgoing: deliveries failing verification", 0, forged, "count"),
    ]
