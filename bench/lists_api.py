"""The REST API half of the list benchmark: /api/v1/vouchers/ pages and search, /api/v1/contacts/ search."""

import itertools
import os
from urllib.parse import urlencode

import requests

from bench import dataset
from bench.load import load
from bench.rows import Row
from bench.server import Server, api_token, cpu_seconds, postgres_pids
from vouchers.models import Voucher

CLIENTS = 8
PAGE = 50


def last_cursor(data: dataset.Dataset) -> str:
    """The API's cursor for the row before the last 50 in its default order (-voucherDate, -id)."""
    from web.listing import encode_cursor

    before_last = Voucher.objects.filter(connection_id=data.connection_id, deleted_upstream_at__isnull=True).order_by(
        "voucher_date", "id"
    )[PAGE]
    return encode_cursor(["-voucherDate", before_last.voucher_date, before_last.pk])


def measure(base_url: str, paths: list[str], headers: dict, count: int) -> dict:
    return load(
        {
            "rate": 0,
            "concurrency": CLIENTS,
            "requests": [
                {"method": "GET", "url": f"{base_url}{path}", "headers": headers}
                for path in itertools.islice(itertools.cycle(paths), count)
            ],
        }
    )


def first_and_last(base_url: str, first: str, last: str, headers: dict, count: int) -> dict:
    """First and last page requested alternately in one run, so both meet the same load on the machine."""
    return load(
        {
            "rate": 0,
            "concurrency": CLIENTS,
            "requests": [
                {"method": "GET", "url": f"{base_url}{path}", "headers": headers, "tag": tag}
                for _ in range(count // 3)
                for tag, path in (("first", first), ("last", last))
            ],
        }
    )


def api_rows(server: Server, data: dataset.Dataset, user, count: int) -> list[Row]:
    base_url = server.base_url
    headers = {"Authorization": f"Token {api_token(user)}", "Accept": "application/json"}
    size = f"{data.vouchers:,}v/{data.contacts:,}c"
    probe = requests.get(f"{base_url}/api/v1/vouchers/", headers=headers, timeout=60)
    if probe.status_code != 200:
        print(f"   API /api/v1/vouchers/ answered {probe.status_code}: not measured")
        return [Row("lists API /api/v1/vouchers/ available", 1, 0, "bool", higher_is_better=True)]
    body = probe.json()
    first_row = body["results"][0]
    if len(body["results"]) != PAGE or not isinstance(first_row.get("contact"), dict | type(None)):
        print(f"   API page shape unexpected: {len(body['results'])} rows, contact={first_row.get('contact')!r}")
    cursor = last_cursor(data)
    last_page = requests.get(f"{base_url}/api/v1/vouchers/?cursor={cursor}", headers=headers, timeout=60).json()
    if last_page.get("next") is not None or not last_page.get("results"):
        raise RuntimeError("API: the constructed last cursor is not the last page")

    measure(base_url, ["/api/v1/vouchers/"], headers, 60)  # warm-up
    processes = {"gunicorn workers": server.worker_pids(), "PostgreSQL": postgres_pids()}
    before = {name: cpu_seconds(pids) for name, pids in processes.items()}
    first = measure(base_url, ["/api/v1/vouchers/"], headers, count * 2)
    print(f"   API /api/v1/vouchers/ first page: {first}", flush=True)
    # Where the cores went: what a request costs each side tells how many per second the machine allows.
    cores = os.cpu_count() or 1
    spent = {name: (cpu_seconds(pids) - before[name]) / first["count"] * 1000 for name, pids in processes.items()}
    print(
        "   API /api/v1/vouchers/ CPU per request: "
        + ", ".join(f"{name} {ms:.2f} ms" for name, ms in spent.items())
        + f" (the load generator's own not counted; at most {1000 * cores / sum(spent.values()):.0f} requests/s"
        f" on {cores} cores)",
        flush=True,
    )
    both = first_and_last(base_url, "/api/v1/vouchers/", f"/api/v1/vouchers/?cursor={cursor}", headers, count)
    last = both["by_tag"]["last"] | {"count": both["count"], "statuses": both["statuses"]}
    print(f"   API /api/v1/vouchers/ first and last page alternately: {both}", flush=True)
    numbers = [f"{data.vouchers // 3:07d}", f"{data.vouchers // 7:07d}"[:-2], f"-{data.vouchers // 2:07d}"[:-1]]
    names = ["Koch", "Brauerei Vogel", "Hotel Frank", f"info{data.contacts // 2}@"]
    vouchers = measure(
        base_url, [f"/api/v1/vouchers/?{urlencode({'search': n})}" for n in numbers], headers, count // 2
    )
    print(f"   API voucher number search {numbers}: {vouchers}", flush=True)
    contacts = measure(base_url, [f"/api/v1/contacts/?{urlencode({'search': n})}" for n in names], headers, count // 2)
    print(f"   API contact name search {names}: {contacts}", flush=True)
    errors = sum(r["count"] - r["statuses"].get("200", 0) for r in (first, last, vouchers, contacts))
    return [
        Row(f"lists API /api/v1/vouchers/ 50 with contact, p95 over HTTP ({size})", 30, first["p95_ms"], "ms"),
        Row(
            "lists API /api/v1/vouchers/ requests per second (8 clients)",
            400,
            first["per_second"],
            "req/s",
            higher_is_better=True,
        ),
        Row(
            "lists API /api/v1/vouchers/ last page / first page, p50",
            1.5,
            both["by_tag"]["last"]["p50_ms"] / both["by_tag"]["first"]["p50_ms"],
            "ratio",
        ),
        Row(f"lists API search voucher number, p95 over HTTP ({size})", 50, vouchers["p95_ms"], "ms"),
        Row(f"lists API search contact name, p95 over HTTP ({size})", 50, contacts["p95_ms"], "ms"),
        Row("lists API responses other than 200", 0, errors, "count"),
    ]
