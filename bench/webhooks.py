"""Webhook ingestion: acknowledgements per second and latency, served by gunicorn, with no worker running."""

import base64
import json
import os
import uuid
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.contrib.auth import get_user_model

from bench import anchors, env
from bench.load import load
from bench.rows import Row
from bench.server import gunicorn

# workers, worker class, threads: the best of those tried on this 2-core machine (see README Figures);
# BENCH_WEBHOOK_GUNICORN="2,gthread,4" tries another.
_workers, _class, _threads = os.environ.get("BENCH_WEBHOOK_GUNICORN", "3,gthread,2").split(",")
GUNICORN = (int(_workers), _class, int(_threads))
FLOOR = "the stack's floor: a Django view on the same gunicorn that reads the body and answers 202"
FLOOR_PACED = f"{FLOOR}, 50/s of it interleaved with Lexhub's 50/s"
# Medians of five paced runs: each acknowledgement waits for PostgreSQL's commit to reach the disk, and on a
# shared disk a slow spell of seconds gave two of three runs a slow tail (5.93 x, 2026-12-05).
PACED_ROUNDS = 5


def signed_deliveries(connection, key: rsa.RSAPrivateKey, count: int, url: str) -> list[dict]:
    deliveries = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for index in range(count):
        body = json.dumps(
            {
                "organizationId": str(connection.organization_id),
                "eventType": "contact.changed",
                "resourceId": str(uuid.uuid4()),
                "eventDate": (start + timedelta(milliseconds=index)).isoformat(timespec="milliseconds"),
            },
            separators=(",", ":"),
        ).encode()
        signature = base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA512())).decode()
        deliveries.append(
            {
                "method": "POST",
                "url": url,
                "body": body.decode("latin-1"),
                "headers": {"Content-Type": "application/json", "X-Lxo-Signature": signature},
            }
        )
    return deliveries


def run(quick: bool) -> list[Row]:
    from connections.models import Connection
    from webhooks.models import WebhookEvent

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = env.BENCH_VAR / "bench_webhook_key.pem"
    pem.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    owner, _ = get_user_model().objects.get_or_create(username="bench")
    connection = Connection(name=f"webhook bench {uuid.uuid4().hex[:6]}", owner=owner, organization_id=uuid.uuid4())
    connection.set_api_key("not-used")
    connection.save()
    paced, burst, rounds = (250, 500, 5) if quick else (1500, 1500, 5)
    queue = f"bench-unconsumed-{uuid.uuid4().hex[:6]}"  # no worker: acknowledging must not depend on one
    workers, worker_class, threads = GUNICORN
    with gunicorn(
        workers=workers,
        worker_class=worker_class,
        threads=threads,
        env_extra={"LEXOFFICE_WEBHOOK_PUBLIC_KEYS": str(pem), "LEXHUB_CELERY_QUEUE": queue},
    ) as server:
        url = f"{server.base_url}/webhooks/lexoffice/{connection.webhook_token}/"
        floor_deliveries = [
            d | {"url": f"{server.base_url}/_anchor/ingest/"} for d in signed_deliveries(connection, key, burst, url)
        ]
        warm = load({"requests": signed_deliveries(connection, key, 100, url), "rate": 0, "concurrency": 8})
        load({"requests": floor_deliveries[:100], "rate": 0, "concurrency": 8})
        # 50 deliveries/s to Lexhub and 50/s to the floor, interleaved in one paced run (100/s in all), five
        # runs: a p99 of one run's few hundred requests is its third-worst, one scheduler hiccup decides it.
        at_50 = [
            load(
                {
                    "requests": [
                        delivery | {"tag": tag}
                        for ours, floors in zip(
                            signed_deliveries(connection, key, paced, url), floor_deliveries[:paced], strict=True
                        )
                        for tag, delivery in (("Lexhub", ours), ("floor", floors))
                    ],
                    "rate": 100,
                    "concurrency": 8,
                }
            )
            for _ in range(PACED_ROUNDS)
        ]
        # Flat out, Lexhub's receiver and the floor (a view that reads the body and answers 202) in turn.
        flat_out = anchors.alternate(
            {
                "Lexhub": lambda: load(
                    {"requests": signed_deliveries(connection, key, burst, url), "rate": 0, "concurrency": 8}
                ),
                "floor": lambda: load({"requests": floor_deliveries, "rate": 0, "concurrency": 8}),
            },
            rounds=rounds,
        )
    ours, floor = flat_out["Lexhub"], flat_out["floor"]
    stored = WebhookEvent.objects.filter(connection=connection).count()
    paced_ours = [run["by_tag"]["Lexhub"] for run in at_50]
    paced_floor = [run["by_tag"]["floor"] for run in at_50]
    answered = [warm, *paced_ours, *ours]
    accepted = anchors.statuses(answered).get("202", 0)
    refused = anchors.not_ok(answered, ok="202")
    p50s = anchors.median(paced_ours, "p50_ms"), anchors.median(paced_floor, "p50_ms")
    print(f"   p50 at 50/s: Lexhub {p50s[0]:.2f} ms, floor {p50s[1]:.2f} ms")
    print(f"   gunicorn {GUNICORN}\n   at 50/s: {at_50}\n   flat out, Lexhub: {ours}\n   flat out, floor: {floor}")
    return [
        Row(
            "webhooks: p99 latency at 50 deliveries/s, no worker",
            5.0,
            anchors.median(paced_ours, "p99_ms"),
            "ms",
            anchor=FLOOR_PACED,
            anchor_measured=anchors.median(paced_floor, "p99_ms"),
        ),
        Row(
            "webhooks: acknowledgements per second (8 clients)",
            0.15,
            anchors.median(ours, "per_second"),
            "acks/s",
            higher_is_better=True,
            anchor=FLOOR,
            anchor_measured=anchors.median(floor, "per_second"),
        ),
        Row(
            "webhooks: p99 latency flat out",
            5.0,
            anchors.median(ours, "p99_ms"),
            "ms",
            anchor=FLOOR,
            anchor_measured=anchors.median(floor, "p99_ms"),
        ),
        Row("webhooks: deliveries lost (acknowledged but not stored)", 0, accepted - stored, "count"),
        Row("webhooks: genuine deliveries not answered 202", 0, refused, "count"),
    ]
