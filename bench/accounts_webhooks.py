"""Webhook deliveries for every client of the tax office at once: the sandbox signs and sends one
`contact.created` per organization (all within a second), Lexhub acknowledges them on gunicorn and a Celery
worker (threads pool) fetches each new contact within its key's limit."""

import time
import uuid

import requests
from django.utils import timezone

from bench import env
from bench.rows import Row
from bench.server import gunicorn
from sandbox.store import fingerprint

RATE = 2.0


def subscribe(sandbox_url: str, api_key: str, callback_url: str) -> None:
    response = requests.post(
        f"{sandbox_url}/v1/event-subscriptions",
        headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
        json={"eventType": "contact.created", "callbackUrl": callback_url},
        timeout=30,
    )
    response.raise_for_status()


def burst(sandbox_url: str, orgs: list[dict], connections: list) -> list[Row]:
    from lexhub.celery import app as celery_app
    from webhooks.models import WebhookEvent

    n = len(connections)
    queue = f"bench-accounts-hooks-{uuid.uuid4().hex[:8]}"
    celery_app.conf.task_default_queue = queue
    pem = env.BENCH_VAR / "sandbox" / "public_key.pem"  # the sandbox's signing key (its --data-dir)
    served = {"LEXOFFICE_WEBHOOK_PUBLIC_KEYS": str(pem), "LEXHUB_CELERY_QUEUE": queue}
    with (
        gunicorn(workers=3, worker_class="gthread", threads=2, env_extra=served) as server,
        env.worker(queue, concurrency=n, extra=["--pool", "threads"]),
    ):
        for org, connection in zip(orgs, connections, strict=True):
            subscribe(sandbox_url, org["apiKey"], f"{server.base_url}/webhooks/lexoffice/{connection.webhook_token}/")
        time.sleep(1.5)  # the subscriptions' own requests leave every key's bucket full again (burst 2 at 2/s)
        requests.delete(f"{sandbox_url}/_sandbox/requests", timeout=10)
        since = timezone.now()
        began = time.monotonic()
        for org in orgs:
            requests.post(
                f"{sandbox_url}/_sandbox/mutations",
                json={"apiKey": org["apiKey"], "resource": "contact", "action": "create", "fields": {}},
                timeout=30,
            ).raise_for_status()
        events = WebhookEvent.objects.filter(connection__in=connections, received_at__gte=since)
        deadline = began + 120
        while events.filter(state=WebhookEvent.State.PROCESSED).count() < n and time.monotonic() < deadline:
            time.sleep(0.2)
        seconds = time.monotonic() - began
        processed = events.filter(state=WebhookEvent.State.PROCESSED).count()
        states = {row["state"]: row["n"] for row in events.values("state").annotate(n=_count())}
    log = requests.get(f"{sandbox_url}/_sandbox/requests", timeout=60).json()["requests"]
    keys = {fingerprint(org["apiKey"]) for org in orgs}
    ours = [entry for entry in log if entry["apiKey"] in keys]
    per_key: dict[str, int] = {}
    for entry in ours:
        per_key[entry["apiKey"]] = per_key.get(entry["apiKey"], 0) + 1
    floor = max(per_key.values(), default=1) / RATE  # the busiest key's requests at its limit
    too_many = sum(entry["status"] == 429 for entry in ours)
    print(
        f"   webhooks for {n} connections at once: {processed} processed in {seconds:.1f} s (states {states}), "
        f"{len(ours)} requests upstream (busiest key {max(per_key.values(), default=0)}), 429s {too_many}",
        flush=True,
    )
    return [
        Row(f"accounts: {n} webhook deliveries at once, processed", n, processed, "count", higher_is_better=True),
        Row(
            f"accounts: {n} webhook deliveries at once, until all processed",
            10.0,
            seconds,
            "s",
            anchor="the floor: the busiest key's requests ÷ 2 per second",
            anchor_measured=floor,
        ),
        Row(f"accounts: {n} webhook deliveries at once, 429s reaching the sandbox", 0, too_many, "count"),
    ]


def _count():
    from django.db.models import Count

    return Count("id")
