"""The campaigns' world: private PostgreSQL and Redis, the sandbox, a web server, Celery workers.

Everything runs as child processes of `python -m chaos` in one temporary directory and is ended by
pid when the run ends. This process itself is configured like a worker (same database, broker,
secrets), so campaigns create connections and read results through the app's own code.
"""

import base64
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from harness.processes import ROOT, free_port, spawn, stop_process, wait_for_http, worker_command
from harness.services import PrivatePostgres, PrivateRedis


class Signer:
    """Signs deliveries like Lexoffice (RSA PKCS#1 v1.5, SHA-512, base64) with a key the web server trusts."""

    def __init__(self, directory: Path) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_pem = directory / "webhook_public_key.pem"
        self.public_pem.write_bytes(
            self.key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def sign(self, body: bytes) -> str:
        return base64.b64encode(self.key.sign(body, padding.PKCS1v15(), hashes.SHA512())).decode()


class Cluster:
    """Start with `with Cluster(...) as cluster:`; Django is set up against the private database inside."""

    def __init__(self, *, keep: bool = False) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="lexhub-chaos-"))
        self.dir.chmod(0o755)
        self.keep = keep
        self.queue = f"chaos-{uuid.uuid4().hex[:8]}"
        self.postgres = PrivatePostgres(self.dir / "postgres")
        self.redis = PrivateRedis(self._mkdir("redis"))
        self.signer = Signer(self.dir)
        self.sandbox_port = free_port()
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.web_port = free_port()
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self._children: list[subprocess.Popen] = []
        self.sandbox_process: subprocess.Popen | None = None

    def _mkdir(self, name: str) -> Path:
        path = self.dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def env(self) -> dict[str, str]:
        """What every process of the app gets: the private services, shared secrets, no outside hosts."""
        return {
            "DATABASE_URL": self.postgres.url,
            "CELERY_BROKER_URL": self.redis.url,
            "REDIS_URL": self.redis.url,
            "LEXHUB_CELERY_QUEUE": self.queue,
            "LEXHUB_VAR_DIR": str(self._mkdir("var")),
            "LEXOFFICE_WEBHOOK_PUBLIC_KEYS": str(self.signer.public_pem),
            "LEXHUB_AUTO_REGISTER_WEBHOOKS": "false",
            "DJANGO_DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LEXOFFICE_TIMEOUT_SECONDS": "10",
            "LOG_LEVEL": "INFO",
            "DJANGO_SETTINGS_MODULE": "lexhub.settings",
        }

    def __enter__(self) -> "Cluster":
        try:
            self.postgres.init()
            self.redis.start()
            os.environ.update(self.env())
            os.environ["LEXOFFICE_API_BASE_URLS"] = self.sandbox_url
            subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
            import django

            django.setup()
            self.start_sandbox()
            self.start_web()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for child in reversed(self._children):
            stop_process(child)
        self.redis.kill()
        with contextlib.suppress(Exception):
            self.postgres.stop("immediate")
        if not self.keep:
            import shutil

            shutil.rmtree(self.dir, ignore_errors=True)

    def _spawn(self, args: list[str], log_name: str) -> subprocess.Popen:
        process = spawn(args, env=self.env(), log_path=self._mkdir("logs") / log_name)
        self._children.append(process)
        return process

    def start_sandbox(self) -> None:
        args = [
            sys.executable,
            "manage.py",
            "sandbox",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.sandbox_port),
            "--data-dir",
            str(self._mkdir("sandbox")),
            "--contacts",
            "0",
            "--vouchers",
            "0",
            "--invoices",
            "0",
            "--rate-limit",
            "0",
            "--threads",
            "8",
        ]
        self.sandbox_process = self._spawn(args, "sandbox.log")
        wait_for_http(f"{self.sandbox_url}/_sandbox/health", self.sandbox_process, 120)

    def start_web(self) -> None:
        """gunicorn as in production: a few processes, threads, our settings."""
        args = [
            str(Path(sys.executable).parent / "gunicorn"),
            "lexhub.wsgi",
            "-b",
            f"127.0.0.1:{self.web_port}",
            "-w",
            "2",
            "-k",
            "gthread",
            "--threads",
            "4",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ]
        process = self._spawn(args, "web.log")
        wait_for_http(f"{self.web_url}/healthz", process, 120)

    def start_worker(self, *, concurrency: int = 2, name: str = "worker") -> subprocess.Popen:
        """A real `celery worker` (prefork) on the run's queue; returns once it is ready."""
        log_path = self._mkdir("logs") / f"{name}-{uuid.uuid4().hex[:6]}.log"
        process = spawn(
            worker_command(self.queue, concurrency=concurrency, name="chaos"),
            env=self.env(),
            log_path=log_path,
        )
        self._children.append(process)
        deadline = time.monotonic() + 90
        while "ready." not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                stop_process(process)
                raise RuntimeError(f"celery worker did not start; see {log_path}")
            time.sleep(0.1)
        return process

    @staticmethod
    def kill_worker(process: subprocess.Popen) -> None:
        """SIGKILL the worker's main process and its pool children at once (an OOM kill, a lost machine)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    @staticmethod
    def pool_children(process: subprocess.Popen) -> list[int]:
        path = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        with contextlib.suppress(OSError):
            return [int(pid) for pid in path.read_text().split()]
        return []

    def session_cookie(self, username: str = "chaos") -> dict[str, str]:
        """A logged-in browser session for `username` (created if needed), as a cookie for requests."""
        from django.contrib.auth import get_user_model
        from django.test import Client

        user, _ = get_user_model().objects.get_or_create(username=username)
        client = Client()
        client.force_login(user)
        return {"sessionid": client.cookies["sessionid"].value}

    def owner(self, username: str = "chaos"):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get_or_create(username=username)[0]


class Beat(threading.Thread):
    """Plays Celery beat's recovery duties (sweep the webhook inbox and the outbox, resume stalled syncs)
    every `interval` seconds from this process; a database outage just skips a round."""

    def __init__(self, interval: float, sweep_after: int | None = None) -> None:
        from django.conf import settings

        super().__init__(daemon=True, name="chaos-beat")
        self.interval = interval
        if sweep_after is not None:  # quick mode: events count as left behind sooner
            settings.LEXHUB_WEBHOOK_SWEEP_AFTER_SECONDS = sweep_after
        self._halt = threading.Event()
        self.rounds = 0

    def run(self) -> None:
        from django.db import close_old_connections, connection

        from connections.sync import resume_stalled_runs
        from connections.writes import sweep_outbox
        from webhooks.tasks import sweep_inbox_task

        while not self._halt.wait(self.interval):
            try:
                close_old_connections()
                sweep_inbox_task()
                sweep_outbox()
                resume_stalled_runs()
                self.rounds += 1
            except Exception:  # database or broker down: beat's next round tries again
                with contextlib.suppress(Exception):
                    connection.close()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=30)


def get(url: str, **kwargs: object) -> requests.Response | None:
    try:
        return requests.get(url, timeout=15, **kwargs)
    except requests.RequestException:
        return None
