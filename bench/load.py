"""HTTP load from a separate process: `python -m bench.load SPEC.json` prints latency figures as JSON.

SPEC: {"requests": [{"method", "url", "headers", "body" (latin-1 text) or "body_file" (path)}],
"rate": per second or 0 for as fast as possible, "concurrency": connections}. Each request is sent
once, in order of start. The client is a small asyncio HTTP/1.1 loop over keep-alive connections with
requests encoded up front, so it costs the 2 cores far less than the server it measures. Server time
comes from the app's `Server-Timing: app;dur=` header when present.
"""

import asyncio
import json
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

SERVER_TIMING = re.compile(rb"app;dur=([0-9.]+)")


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def encode(item: dict, bodies: dict[str, bytes]) -> tuple[str, int, bytes]:
    parts = urlsplit(item["url"])
    if "body_file" in item:
        path = item["body_file"]
        body = bodies.setdefault(path, Path(path).read_bytes())
    else:
        body = item.get("body", "").encode("latin-1")
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Host": parts.netloc, "Connection": "keep-alive", **(item.get("headers") or {})}
    if body or item["method"] in ("POST", "PUT", "PATCH"):
        headers["Content-Length"] = str(len(body))
    head = f"{item['method']} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return parts.hostname, parts.port or 80, head.encode("latin-1") + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, int, bool]:
    """Status, raw headers, body length read, and whether the server keeps the connection open."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    lower = head.lower()
    keep = b"connection: close" not in lower
    size = 0
    if match := re.search(rb"\r\ncontent-length: *(\d+)", lower):
        size = int(match.group(1))
        await reader.readexactly(size)
    elif b"\r\ntransfer-encoding: chunked" in lower:
        while True:
            length = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(length + 2)
            size += length
            if length == 0:
                break
    else:
        size = len(await reader.read())
        keep = False
    return status, head, size, keep


async def drive(items: list[tuple[str, int, bytes]], rate: float, concurrency: int) -> list[tuple]:
    results: list[tuple] = [()] * len(items)
    next_index = 0
    started = time.perf_counter()

    async def client() -> None:
        nonlocal next_index
        reader = writer = None
        while next_index < len(items):
            index = next_index
            next_index += 1
            if rate:
                delay = started + index / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            host, port, payload = items[index]
            began = time.perf_counter()
            for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile is reopened once
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection(host, port)
                    writer.write(payload)
                    await writer.drain()
                    status, head, _size, keep = await read_response(reader)
                    break
                except (ConnectionError, asyncio.IncompleteReadError, OSError):
                    if writer is not None:
                        writer.close()
                    reader = writer = None
                    if attempt == 2:
                        status, head, keep = 0, b"", False
            latency = (time.perf_counter() - began) * 1000
            timing = SERVER_TIMING.search(head)
            results[index] = (latency, status, float(timing.group(1)) if timing else None, began - started)
            if not keep and writer is not None:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return results


def summarise(results: list[tuple], elapsed: float) -> dict:
    latencies = [r[0] for r in results]
    server = [r[2] for r in results if r[2] is not None]
    statuses: dict[str, int] = {}
    for result in results:
        statuses[str(result[1])] = statuses.get(str(result[1]), 0) + 1
    summary = {
        "count": len(results),
        "seconds": elapsed,
        "per_second": len(results) / elapsed,
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "statuses": statuses,
    }
    if server:
        summary |= {
            "server_p50_ms": percentile(server, 0.50),
            "server_p95_ms": percentile(server, 0.95),
            "server_p99_ms": percentile(server, 0.99),
        }
    return summary


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    bodies: dict[str, bytes] = {}
    items = [encode(item, bodies) for item in spec["requests"]]
    started = time.perf_counter()
    results = asyncio.run(drive(items, spec.get("rate", 0), spec.get("concurrency", 8)))
    elapsed = time.perf_counter() - started
    summary = summarise(results, elapsed)
    tags = [item.get("tag") for item in spec["requests"]]
    if any(tags):  # requests interleaved in one run, summarised per tag: both see the same machine
        summary["by_tag"] = {
            tag: summarise([r for r, t in zip(results, tags, strict=True) if t == tag], elapsed)
            for tag in dict.fromkeys(t for t in tags if t)
        }
    print(json.dumps(summary))


def load(spec: dict) -> dict:
    """Run a spec in a separate process (so the client's CPU is not the caller's) and return its figures."""
    from bench import env

    path = env.BENCH_VAR / f"load-{uuid.uuid4().hex[:6]}.json"
    path.write_text(json.dumps(spec))
    try:
        output = subprocess.run(
            [sys.executable, "-m", "bench.load", str(path)], cwd=env.ROOT, check=True, capture_output=True, text=True
        ).stdout
    finally:
        path.unlink(missing_ok=True)
    return json.loads(output.strip().splitlines()[-1])


if __name__ == "__main__":
    main(sys.argv[1])
