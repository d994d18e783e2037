"""File transfer memory: 20 concurrent 5 MB receipt uploads, then 20 concurrent 5 MB downloads, through
gunicorn (4 workers) with the sandbox as Lexoffice; each worker's VmRSS before and after."""

import os
import random
import uuid
from contextlib import ExitStack

import requests
from django.contrib.auth import get_user_model

from bench import env
from bench.load import load
from bench.rows import Row
from bench.server import Server, gunicorn, rss_kib, session_cookie
from harness.s3 import s3_server

SIZE = 5 * 1024 * 1024  # Lexoffice's limit, to the byte
CSRF = "benchcsrfsecretbenchcsrfsecret00"  # 32 characters: a token Django accepts as cookie and header
BOUNDARY = "lexhub-bench-boundary-7f3a"
WORKERS = 4
# BENCH_FILES_STORAGE=s3 runs the section with media on an S3-compatible server (harness/s3.py).
STORAGE = os.environ.get("BENCH_FILES_STORAGE", "filesystem")
LABEL = " (S3)" if STORAGE == "s3" else ""


def pdf(seed: int, size: int) -> bytes:
    """A distinct, valid one-page PDF of exactly `size` bytes (an unreferenced stream of random filler makes
    up the size), so no upload is a duplicate and Lexhub's PDF check (it parses the file) lets it through."""
    filler_size = size - len(_pdf(b""))
    for _ in range(3):  # the filler's length is written in digits, which change the size a little
        filler_size += size - len(_pdf(b"\x00" * filler_size))
    return _pdf(random.Random(seed).randbytes(filler_size))


def _pdf(filler: bytes) -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Length %d >>\nstream\n" % len(filler) + filler + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def multipart(connection_id: int, name: str, content: bytes) -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="connection"\r\n\r\n{connection_id}\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def upload_spec(server: Server, connection_id: int, cookie: str, seeds: range) -> dict:
    folder = env.BENCH_VAR / "files"
    folder.mkdir(exist_ok=True)
    items = []
    for seed in seeds:
        path = folder / f"upload-{seed}.bin"
        path.write_bytes(multipart(connection_id, f"receipt-{seed}.pdf", pdf(seed, SIZE)))
        items.append(
            {
                "method": "POST",
                "url": f"{server.base_url}/receipts/upload/",
                "body_file": str(path),
                "headers": {
                    "Cookie": f"{cookie}; csrftoken={CSRF}",
                    "X-CSRFToken": CSRF,
                    "Accept": "application/json",
                    "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                },
            }
        )
    return {"rate": 0, "concurrency": len(items), "requests": items}


def rss(server: Server) -> dict[int, int]:
    return {pid: rss_kib(pid) for pid in server.worker_pids()}


def run(quick: bool) -> list[Row]:
    from connections.models import Connection
    from vouchers.models import File

    user, _ = get_user_model().objects.get_or_create(username="bench-files")
    run_id = uuid.uuid4().hex[:6]
    concurrent = 20
    with ExitStack() as stack:
        media = {}
        if STORAGE == "s3":  # media on an S3-compatible server (moto's, on a loopback port) instead of the disk
            s3 = stack.enter_context(s3_server(log_path=env.BENCH_VAR / "moto.log"))
            media = s3.env() | {"LEXHUB_S3_PREFIX": f"bench-{run_id}"}
        sandbox_url = stack.enter_context(env.sandbox(["--rate-limit", "0"]))
        org = requests.post(
            f"{sandbox_url}/_sandbox/organizations", json={"rateLimit": 0, "seed": 3}, timeout=60
        ).json()
        connection = Connection(
            name=f"bench files {run_id}",
            owner=user,
            base_url=sandbox_url,
            rate_limit=1000,
            organization_id=org.get("organizationId"),
        )
        connection.set_api_key(org["apiKey"])
        connection.save()
        cookie = session_cookie(user)
        queue = f"bench-unconsumed-{run_id}"  # retries (none expected) wait here; no worker is needed
        with gunicorn(workers=WORKERS, env_extra={"LEXHUB_CELERY_QUEUE": queue, **media}) as server:
            base = random.randrange(1 << 30)
            # Warm-up: each worker has imported and connected once, so growth is what transfers leave behind.
            warm = load(upload_spec(server, connection.pk, cookie, range(base, base + WORKERS)))
            cold = rss(server)
            uploads = load(upload_spec(server, connection.pk, cookie, range(base + 100, base + 100 + concurrent)))
            files = list(File.objects.filter(connection=connection, size=SIZE).values_list("pk", flat=True))
            downloads = load(
                {
                    "rate": 0,
                    "concurrency": concurrent,
                    "requests": [
                        {
                            "method": "GET",
                            "url": f"{server.base_url}/vouchers/files/{pk}/",
                            "headers": {"Cookie": cookie},
                        }
                        for pk in (files * concurrent)[:concurrent]
                    ],
                }
            )
            after = rss(server)
            peak = {pid: rss_kib(pid, "VmHWM") for pid in after}
    growth = {pid: (after.get(pid, 0) - kib) / 1024 for pid, kib in cold.items()}
    moved = concurrent * SIZE / 1024 / 1024
    print(
        f"   media on {STORAGE}: uploads {moved / uploads['seconds']:.1f} MiB/s ({uploads['seconds']:.2f} s), "
        f"downloads {moved / downloads['seconds']:.1f} MiB/s ({downloads['seconds']:.2f} s)",
        flush=True,
    )
    print(
        f"   warm-up: {warm['statuses']}\n   uploads: {uploads}\n   downloads: {downloads}\n"
        f"   VmRSS KiB before {cold} after {after} (peak {peak}); growth MiB {growth}",
        flush=True,
    )
    uploaded = uploads["statuses"].get("201", 0)
    downloaded = downloads["statuses"].get("200", 0)
    if set(after) != set(cold):
        print(f"   a worker was replaced during the run (before {sorted(cold)}, after {sorted(after)})")
    return [
        Row(
            f"files{LABEL}: {concurrent} concurrent 5 MB uploads accepted (201)",
            concurrent,
            uploaded,
            "count",
            higher_is_better=True,
        ),
        Row(
            f"files{LABEL}: {concurrent} concurrent 5 MB downloads served (200)",
            concurrent,
            downloaded,
            "count",
            higher_is_better=True,
        ),
        Row(
            f"files{LABEL}: per-worker RSS growth, max of {WORKERS} gunicorn workers",
            3.2,  # 16 MiB for Lexoffice's 5 MiB files: transfers are streamed, never held whole per worker
            max(growth.values()),
            "MiB",
            anchor="the size of one file moved",
            anchor_measured=SIZE / 1024 / 1024,
        ),
        Row(
            f"files{LABEL}: gunicorn workers replaced (crashed or killed) during the run",
            0,
            len(set(cold) - set(after)),
            "count",
        ),
    ]
