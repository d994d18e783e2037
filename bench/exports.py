"""List export streaming: the whole 1,000,000-entry voucher list as German CSV from one gunicorn worker; and a
period export of 1 GB of files in a process of its own.

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
        *period_export_rows(quick),
        Row(f"exports: CSV rows streamed of {vouchers} list entries", vouchers, rows, "rows", higher_is_better=True),
        Row(f"exports: {vouchers}-row CSV export, worker RSS growth (peak)", 50, growth, "MiB"),
        Row(f"exports: {vouchers}-row CSV export speed", 5_000 if quick else 20_000, rows / seconds, "rows/s", True),
    ]


def _period_connection(files: int, size: int) -> tuple[int, int]:
    """A connection of `files` bookkeeping vouchers with one local file of `size` random bytes each (reused)."""
    import os
    import uuid
    from datetime import UTC, datetime, timedelta

    from django.core.files.base import ContentFile

    from connections.models import Connection
    from vouchers.models import File, Voucher

    owner, _ = get_user_model().objects.get_or_create(username="bench-exports")
    name = f"bench period export {files}x{size}"
    existing = Connection.objects.filter(name=name).first()
    if existing is not None and File.objects.filter(connection=existing).exclude(content="").count() == files:
        return existing.pk, owner.pk
    Connection.objects.filter(name=name).delete()
    connection = Connection(name=name, owner=owner, organization_id=uuid.uuid4())
    connection.set_api_key("bench-not-used")
    connection.save()
    start = datetime(2025, 1, 1, 9, tzinfo=UTC)
    for index in range(files):
        file_id = uuid.uuid4()
        voucher = Voucher.objects.create(
            connection=connection, lexoffice_id=uuid.uuid4(), voucher_type="purchaseinvoice", voucher_status="paid",
            voucher_number=f"ER-{index:05d}", voucher_date=start + timedelta(hours=index), contact_name="Lieferant",
            total_amount=119, open_amount=0, raw={},
            details={"taxType": "gross", "files": [str(file_id)], "voucherItems": [
                {"amount": 119, "taxAmount": 19, "taxRatePercent": 19, "categoryId": "bench-outgo"}]},
        )  # fmt: skip
        file = File(connection=connection, lexoffice_id=file_id, voucher=voucher, filename=f"{index}.pdf",
                    content_type="application/pdf", size=size)  # fmt: skip
        file.content.save(str(file_id), ContentFile(b"%PDF-1.4\n" + os.urandom(size - 9)), save=True)
    return connection.pk, owner.pk


def _build_in_child(run_id: int, pipe: object) -> None:
    import os

    from reports import package, period
    from reports.models import PeriodExport

    run = PeriodExport.objects.select_related("connection", "user").get(pk=run_id)
    before = rss_kib(os.getpid())
    started = time.monotonic()
    package.build(run, accounts=period.Accounts("SKR03", {"bench-outgo": "3200"}))
    pipe.send((before, rss_kib(os.getpid()), rss_kib(os.getpid(), "VmHWM"), time.monotonic() - started))  # type: ignore[attr-defined]


def period_export_rows(quick: bool) -> list[Row]:
    """A period export of 1 GB of files (quick: 20 MB) in a fresh process: its RSS growth and MB/s."""
    import multiprocessing
    from datetime import date

    from django.db import connections

    from reports.models import PeriodExport

    files, size = (20, 1 << 20) if quick else (205, 5 << 20)
    connection_id, owner_id = _period_connection(files, size)
    run = PeriodExport.objects.create(
        connection_id=connection_id, user_id=owner_id, start=date(2025, 1, 1), end=date(2025, 12, 31)
    )
    connections.close_all()  # the child opens its own
    receiver, sender = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_build_in_child, args=(run.pk, sender))
    child.start()
    before, after, peak, seconds = receiver.recv()
    child.join()
    run.refresh_from_db()
    megabytes = (run.size or 0) / 1e6
    growth = (max(after, peak) - before) / 1024
    print(
        f"   period export: {run.documents} documents, {run.files} files, ZIP {megabytes:.0f} MB in {seconds:.1f}s "
        f"({megabytes / seconds:.0f} MB/s); VmRSS KiB before {before} after {after}, peak {peak}; "
        f"growth {growth:.1f} MiB",
        flush=True,
    )
    return [
        Row(
            f"exports: period export of {files * size >> 20} MiB of files, ZIP complete",
            files,
            run.files,
            "files",
            True,
        ),
        Row(f"exports: period export of {files * size >> 20} MiB, process RSS growth (peak)", 50, growth, "MiB"),
    ]
