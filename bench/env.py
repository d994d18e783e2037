"""The benchmark environment: its own database (never the app's), migrated; sandbox and worker processes."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"


def prepare_database() -> None:
    """Point Django at a bench database (`<name>_bench` on PostgreSQL, var/bench/db.sqlite3 otherwise)
    before django.setup(), create it if needed, and migrate it."""
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("LEXHUB_VAR_DIR", str(BENCH_VAR))
    os.environ["LEXHUB_AUTO_REGISTER_WEBHOOKS"] = "false"
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        parts = urlsplit(url)
        name = parts.path.lstrip("/") or "lexhub"
        bench_name = name if name.endswith("_bench") else f"{name}_bench"
        admin = urlunsplit(parts._replace(path="/postgres"))
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (bench_name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{bench_name}"')
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{bench_name}"))
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_VAR / 'db.sqlite3'}"
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def process(args: list[str], *, ready_url: str | None = None, ready_log: str | None = None,
            env: dict[str, str] | None = None, name: str = "process") -> Iterator[subprocess.Popen]:
    """A child process in its own group, ended by pid when the block ends."""
    log_path = BENCH_VAR / f"{name}-{uuid.uuid4().hex[:6]}.log"
    log = open(log_path, "wb")  # noqa: SIM115
    child = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while ready_url or ready_log:
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start; see {log_path}")
            if ready_url:
                try:
                    requests.get(ready_url, timeout=1)
                    break
                except requests.RequestException:
                    pass
            elif ready_log and ready_log in log_path.read_text(errors="replace"):
                break
            time.sleep(0.1)
        yield child
    finally:
        import signal

        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        log.close()


@contextmanager
def sandbox(extra: list[str] | None = None) -> Iterator[str]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    args = [sys.executable, "manage.py", "sandbox", "--host", "127.0.0.1", "--port", str(port), "--data-dir",
            str(BENCH_VAR / "sandbox"), "--contacts", "0", "--vouchers", "0", "--invoices", "0",
            "--allow-http-callbacks", *(extra or [])]
    with process(args, ready_url=f"{base_url}/_sandbox/health", name="sandbox"):
        yield base_url


@contextmanager
def worker(queue: str, concurrency: int = 1) -> Iterator[subprocess.Popen]:
    args = [str(Path(sys.executable).parent / "celery"), "-A", "lexhub", "worker", "-Q", queue, "--concurrency",
            str(concurrency), "--loglevel", "INFO", "--without-mingle", "--without-gossip", "--without-heartbeat",
            "-n", f"bench-{uuid.uuid4().hex[:6]}@%h"]
    with process(args, ready_log="ready.", env={"LEXHUB_CELERY_QUEUE": queue}, name="worker") as child:
        yield child
