"""Sandbox throughput: simple GETs per second with rate limiting off, load from a separate process."""

import requests

from bench import env
from bench.load import load
from bench.rows import Row


def run(quick: bool) -> list[Row]:
    count = 2000 if quick else 6000
    with env.sandbox(["--rate-limit", "0"]) as base_url:
        org = requests.post(
            f"{base_url}/_sandbox/organizations", json={"contacts": 50, "seed": 2, "rateLimit": 0}, timeout=60
        ).json()
        headers = {"Authorization": f"Bearer {org['apiKey']}", "Accept": "application/json"}
        ids = [
            c["id"]
            for c in requests.get(f"{base_url}/v1/contacts", params={"size": 50}, headers=headers, timeout=30).json()[
                "content"
            ]
        ]
        spec = {
            "rate": 0,
            "concurrency": 8,
            "requests": [
                {"method": "GET", "url": f"{base_url}/v1/contacts/{ids[i % len(ids)]}", "headers": headers}
                for i in range(count)
            ],
        }
        result = load(spec)
    print(f"   sandbox: {result}")
    return [
        Row(
            f"sandbox GET /v1/contacts/{{id}} per second ({count} requests, 8 clients)",
            300,
            result["per_second"],
            "req/s",
            higher_is_better=True,
        )
    ]
