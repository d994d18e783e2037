"""List export streaming: the whole 1,000,000-entry voucher list as German CSV from one gunicorn worker.

The worker's VmRSS before (after a small warm-up export) and after the export, and its peak (VmHWM): a streamed
export holds a chunk of rows, never the list. Rows per second as the client receives them.
"""

import time

import requests
from django.contrib.auth import get_user_model

from bench import dataset, env
from bench.rows import Row
from bench.server import gunicorn, rss_kib, session_cookie

WORKERS = 1


def run(quick: bool) -> list[Row]:
    if not env.is_postgresql():
        print("   exports: needs PostgreSQL (the lists' data set is built with COPY)")
        return [Row("exports: PostgreSQL available", 1, 0, "bool", higher_is_better=True)]
    contacts, vouchers = (2_000, 20_000) if quick else (100_000, 1_000_000)
    data = dataset.ensure(contacts=contacts, vouchers=vouchers)
    cookie = session_cookie(get_user_model().objects.get(pk=data.owner_id))
    with gunicorn(workers=WORKERS) as server:
        (pid,) = server.worker_pids()
        warm = requests.get(
            f"{server.base_url}/reports/export/documents/?format=csv-de&min=19990",
            headers={"Cookie": cookie},
            timeout=600,
        )
        cold = rss_kib(pid)
        started = time.monotonic()
        rows = received = 0
        with requests.get(
            f"{server.base_url}/reports/export/documents/?format=csv-de",
            headers={"Cookie": cookie},
            stream=True,
            timeout=3600,
        ) as response:
            status = response.status_code
            for chunk in response.iter_content(chunk_size=256 * 1024):
                received += len(chunk)
                rows += chunk.count(b"\r\n")
        seconds = time.monotonic() - started
        after, peak = rss_kib(pid), rss_kib(pid, "VmHWM")
    rows -= 1  # the header line
    growth = (max(after, peak) - cold) / 1024
    print(
        f"   warm-up {warm.status_code} ({len(warm.content)} bytes); export {status}: {rows} rows, "
        f"{received / 1e6:.1f} MB in {seconds:.1f}s = {rows / seconds:,.0f} rows/s\n"
        f"   worker VmRSS KiB before {cold} after {after}, peak {peak}; growth {growth:.1f} MiB",
        flush=True,
    )
    return [
        Row(f"exports: CSV rows streamed of {vouchers} list entries", vouchers, rows, "rows", higher_is_better=True),
        Row(f"exports: {vouchers}-row CSV export, worker RSS growth (peak)", 50, growth, "MiB"),
        Row(f"exports: {vouchers}-row CSV export speed", 5_000 if quick else 20_000, rows / seconds, "rows/s", True),
    ]
