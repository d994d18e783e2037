"""HTTP load from a separate process: `python -m bench.load SPEC.json` prints latency figures as JSON.

SPEC: {"requests": [{"method", "url", "headers", "body" (latin-1 text)}], "rate": per second or 0 for
as fast as possible, "concurrency": threads}. Each request is sent once, in order.
"""

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    items = spec["requests"]
    rate, concurrency = spec.get("rate", 0), spec.get("concurrency", 8)
    local = threading.local()
    started = time.monotonic()

    def send(index: int) -> tuple[float, int]:
        if rate:
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        item = items[index]
        began = time.perf_counter()
        response = session.request(item["method"], item["url"], headers=item.get("headers"),
                                   data=item.get("body", "").encode("latin-1"), timeout=30)
        return time.perf_counter() - began, response.status_code

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(send, range(len(items))))
    elapsed = time.monotonic() - started
    latencies = [latency * 1000 for latency, _status in results]
    statuses: dict[str, int] = {}
    for _latency, status in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    print(json.dumps({"count": len(results), "seconds": elapsed, "per_second": len(results) / elapsed,
                      "p50_ms": percentile(latencies, 0.50), "p95_ms": percentile(latencies, 0.95),
                      "p99_ms": percentile(latencies, 0.99), "statuses": statuses}))


if __name__ == "__main__":
    main(sys.argv[1])
