"""Full and incremental sync against the sandbox at a real rate limit, through a real Celery worker.

Figures: requests sent vs the README's formula, wall time vs the floor (requests / rate), 429s.
"""

import math
import time
import uuid
from datetime import datetime

import requests
from django.contrib.auth import get_user_model

from bench import env
from bench.rows import Row
from harness.mirror import mirror_differences
from harness.sandbox import SandboxOrg

BOOKKEEPING = ("salesinvoice", "salescreditnote", "purchaseinvoice", "purchasecreditnote")
START_UP = 3.0  # seconds, a fixed cost apart from the steady state (the sandbox's log dates the first request)
SALES = ("invoice", "downpaymentinvoice", "creditnote", "orderconfirmation", "quotation", "deliverynote")


def minimum_requests(base_url: str, api_key: str) -> tuple[int, dict]:
    """The README's formula, from the sandbox's own counts (one query per type stays under 10,000)."""
    headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}

    def total(path: str, params: dict) -> int:
        return requests.get(f"{base_url}{path}", params={**params, "size": 1}, headers=headers, timeout=30).json()[
            "totalElements"
        ]

    per_type = {
        kind: total("/v1/voucherlist", {"voucherType": kind, "voucherStatus": "any"}) for kind in BOOKKEEPING + SALES
    }
    n, m = total("/v1/contacts", {}), sum(per_type.values())
    bookkeeping = sum(per_type[kind] for kind in BOOKKEEPING)
    invoices = per_type["invoice"]
    parts = {"N": n, "M": m, "B": bookkeeping, "K": invoices}
    return math.ceil(max(n, 1) / 250) + math.ceil(max(m, 1) / 250) + bookkeeping + invoices, parts


def run_one(*, label: str, contacts: int, vouchers: int, invoices: int, rate: float) -> list[Row]:
    from connections.models import SyncRun
    from connections.services import create_connection
    from connections.sync import start_sync
    from lexhub.celery import app as celery_app

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    celery_app.conf.task_default_queue = queue
    owner, _ = get_user_model().objects.get_or_create(username="bench")
    with env.sandbox() as base_url, env.worker(queue):
        org = requests.post(
            f"{base_url}/_sandbox/organizations",
            timeout=120,
            json={"seed": 5, "contacts": contacts, "vouchers": vouchers, "invoices": invoices, "rateLimit": 0},
        ).json()
        key = org["apiKey"]
        floor_requests, parts = minimum_requests(base_url, key)
        requests.post(f"{base_url}/_sandbox/config", json={"apiKey": key, "rateLimit": rate, "burst": 2}, timeout=10)
        connection = create_connection(
            name=f"bench {label} {uuid.uuid4().hex[:6]}", api_key=key, owner=owner, base_url=base_url, rate_limit=rate
        )
        requests.delete(f"{base_url}/_sandbox/requests", timeout=10)
        run = start_sync(connection=connection, kind=SyncRun.Kind.FULL)
        while not SyncRun.objects.get(pk=run.pk).is_finished:
            time.sleep(0.2)
        run.refresh_from_db()
        wall = (run.finished_at - run.started_at).total_seconds()  # from the worker taking the run to its end
        counters = requests.get(f"{base_url}/_sandbox/requests", params={"apiKey": key}, timeout=10).json()
        sent = counters["counters"]["requests"]
        first_request = min(datetime.fromisoformat(entry["time"]) for entry in counters["requests"])
        start_up = max((first_request - run.started_at).total_seconds(), 0.0)
        too_many = counters["counters"].get("429", 0)
        # Record by record, as the tests do (the comparison's own requests do not count against the run).
        requests.post(f"{base_url}/_sandbox/config", json={"apiKey": key, "rateLimit": 0}, timeout=10)
        differences = mirror_differences(connection, SandboxOrg(base_url, key, org["organizationId"]))
        requests.post(f"{base_url}/_sandbox/config", json={"apiKey": key, "rateLimit": rate}, timeout=10)
        requests.delete(f"{base_url}/_sandbox/requests", timeout=10)
        sent_before_incremental = 0
        # Incremental with nothing changed upstream.
        incremental = start_sync(connection=connection, kind=SyncRun.Kind.INCREMENTAL)
        while not SyncRun.objects.get(pk=incremental.pk).is_finished:
            time.sleep(0.2)
        incremental_sent = (
            requests.get(f"{base_url}/_sandbox/requests", params={"apiKey": key}, timeout=10).json()["counters"][
                "requests"
            ]
            - sent_before_incremental
        )
    floor_seconds = sent / rate
    steady = wall - start_up  # from the first request upstream to the run's end
    size = f"{contacts}c/{vouchers}v/{invoices}i seed 5 @{rate:g}/s"
    print(
        f"   {label}: state={run.state} parts={parts} requests={sent} formula={floor_requests} "
        f"wall={wall:.1f}s (start-up {start_up:.2f}s, then {steady:.1f}s) floor={floor_seconds:.1f}s 429s={too_many}"
    )
    return [
        Row(f"sync {label} requests / formula ({size})", 1.01, sent / floor_requests, "ratio"),
        Row(
            f"sync {label} wall from the first request to the end ({size})",
            1.10,
            steady,
            "s",
            anchor="the floor: requests ÷ rate",
            anchor_measured=floor_seconds,
        ),
        Row(f"sync {label} start-up: worker taking the run to its first request", START_UP, start_up, "s"),
        Row(f"sync {label} 429s reaching the sandbox", 0, too_many, "count"),
        Row(f"sync {label} records differing from the sandbox", 0, len(differences), "count"),
        Row(f"sync {label} incremental, nothing changed: requests", 25, incremental_sent, "requests"),
    ]


def run(quick: bool) -> list[Row]:
    if quick:
        # 5/s, not Lexoffice's 2/s, to stay short; not 20/s either: a 50 ms slot per request measures how fast
        # the worker's CPU stores a voucher (on a busy machine), not how closely the sync keeps to its limit.
        return run_one(label="small", contacts=20, vouchers=20, invoices=5, rate=5)
    return run_one(label="small", contacts=100, vouchers=225, invoices=75, rate=2) + run_one(
        label="large", contacts=5000, vouchers=15000, invoices=5000, rate=40
    )
