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

from harness.processes import allow_lexoffice_address, free_port, worker_command

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"
# The bench databases outlive a checkout (the 1,000,000-row set is reused) and hold only sandbox keys, so
# they are encrypted with this fixed bench-only key rather than one generated into each checkout's var/.
BENCH_FIELD_ENCRYPTION_KEY = "6WC_Eg_0ICYGwCYFmH3JXNOmObR3miLwwhcEzSkjDG0="


def prepare_database(quick: bool = False) -> None:
    """Point Django at a bench database (`<name>_bench` on PostgreSQL, var/bench/db.sqlite3 otherwise;
    `_bench_quick` for --quick, so a smoke run never shares tables with the large data set) before
    django.setup(), create it if needed, and migrate it."""
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("LEXHUB_VAR_DIR", str(BENCH_VAR))
    os.environ["LEXHUB_AUTO_REGISTER_WEBHOOKS"] = "false"
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", BENCH_FIELD_ENCRYPTION_KEY)
    use_local_services()
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        parts = urlsplit(url)
        name = parts.path.lstrip("/") or "lexhub"
        bench_name = name if name.endswith("_bench") else f"{name}_bench"
        bench_name += "_quick" if quick else ""
        admin = urlunsplit(parts._replace(path="/postgres"))
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (bench_name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{bench_name}"')
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{bench_name}"))
        if not _migrate():
            # Built with another encryption key (before the bench had its own): its data cannot serve.
            print(f"   {bench_name} holds keys encrypted with another FIELD_ENCRYPTION_KEY: building it anew")
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{bench_name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{bench_name}"')
            _migrate(check=True)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_VAR / ('db-quick.sqlite3' if quick else 'db.sqlite3')}"
        _migrate(check=True)


def _migrate(*, check: bool = False) -> bool:
    """Migrate the bench database; False when its stored keys are unreadable (system check lexhub.E001)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode == 0:
        return True
    if not check and "lexhub.E001" in result.stderr:
        return False
    sys.stderr.write(result.stdout + result.stderr)
    raise subprocess.CalledProcessError(result.returncode, result.args)


LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/lexhub"
LOCAL_REDIS = "redis://127.0.0.1:6379"


def use_local_services() -> None:
    """With nothing configured, use PostgreSQL and Redis on their usual loopback ports when they answer
    (the figures are meant for the production set-up); SQLite and the filesystem broker otherwise."""
    if not (os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")):
        try:
            import psycopg

            psycopg.connect(LOCAL_POSTGRES.rsplit("/", 1)[0] + "/postgres", connect_timeout=2).close()
            os.environ["DATABASE_URL"] = LOCAL_POSTGRES
        except Exception:
            pass
    if not os.environ.get("REDIS_URL"):
        try:
            import redis

            redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=2).ping()
            # Database numbers of the bench's own, apart from CI's (14, 15) and the default (0).
            os.environ["REDIS_URL"] = f"{LOCAL_REDIS}/13"
            os.environ.setdefault("CELERY_BROKER_URL", f"{LOCAL_REDIS}/12")
        except Exception:
            pass
    database = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or "sqlite:"
    broker = os.environ.get("CELERY_BROKER_URL", "filesystem:")
    print(f"   database {urlsplit(database).scheme}, broker {urlsplit(broker).scheme}", flush=True)


def is_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


@contextmanager
def process(
    args: list[str],
    *,
    ready_url: str | None = None,
    ready_log: str | None = None,
    env: dict[str, str] | None = None,
    name: str = "process",
) -> Iterator[subprocess.Popen]:
    """A child process in its own group, ended by pid when the block ends."""
    log_path = BENCH_VAR / f"{name}-{uuid.uuid4().hex[:6]}.log"
    log = open(log_path, "wb")  # noqa: SIM115
    child = subprocess.Popen(
        args, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
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
    args = [
        sys.executable,
        "manage.py",
        "sandbox",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(BENCH_VAR / "sandbox"),
        "--contacts",
        "0",
        "--vouchers",
        "0",
        "--invoices",
        "0",
        "--allow-http-callbacks",
        *(extra or []),
    ]
    allow_lexoffice_address(base_url)
    with process(args, ready_url=f"{base_url}/_sandbox/health", name="sandbox"):
        yield base_url


@contextmanager
def worker(queue: str, concurrency: int = 1, extra: list[str] | None = None) -> Iterator[subprocess.Popen]:
    args = worker_command(queue, concurrency=concurrency, name="bench") + (extra or [])
    with process(args, ready_log="ready.", env={"LEXHUB_CELERY_QUEUE": queue}, name="worker") as child:
        yield child
