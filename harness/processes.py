"""Start and stop the servers a test, benchmark or chaos run needs: own processes on free loopback ports,
ended by pid."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent  # the checkout: manage.py and the packages


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll until url answers (any status) or the process dies; fail loudly either way."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.05)
    raise RuntimeError(f"server did not answer {url} within {timeout:.0f}s")


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """End a process we started (and its process group), by pid only."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


def spawn(
    args: Sequence[str], *, env: dict[str, str] | None = None, log_path: Path | None = None, cwd: Path = ROOT
) -> subprocess.Popen:
    """Start a child in its own process group so stop_process ends it and its children."""
    output = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        list(args),
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def allow_lexoffice_address(base_url: str) -> None:
    """Let connections reach a sandbox (or proxy) started here: in this process and the ones it starts later.

    Lexhub sends keys only to the deployment's addresses (LEXOFFICE_API_BASE_URLS); a sandbox on a free
    port is such an address for the duration of a test session, bench or chaos run.
    """
    from django.conf import settings

    if base_url not in settings.LEXOFFICE_API_BASE_URLS:
        settings.LEXOFFICE_API_BASE_URLS.append(base_url)  # in place: outlives pytest-django's per-test settings
    os.environ["LEXOFFICE_API_BASE_URLS"] = ",".join(settings.LEXOFFICE_API_BASE_URLS)


@contextmanager
def manage_py_server(
    args: Sequence[str],
    *,
    ready_url: str,
    env: dict[str, str] | None = None,
    log_path: Path | None = None,
    timeout: float = 60.0,
) -> Iterator[subprocess.Popen]:
    if args and args[0] == "sandbox":
        allow_lexoffice_address(ready_url.split("/_sandbox/", 1)[0])
    process = spawn([sys.executable, "manage.py", *args], env=env, log_path=log_path)
    try:
        wait_for_http(ready_url, process, timeout)
        yield process
    finally:
        stop_process(process)


def worker_command(queue: str, *, concurrency: int = 1, name: str = "harness") -> list[str]:
    """`celery worker` for Lexhub on one queue, as tests, bench and chaos start it (no mingle, gossip or
    heartbeat: a private worker has no peers to talk to)."""
    return [
        str(Path(sys.executable).parent / "celery"),
        *("-A", "lexhub", "worker", "-Q", queue, "--concurrency", str(concurrency), "--loglevel", "INFO"),
        *("--without-mingle", "--without-gossip", "--without-heartbeat", "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h"),
    ]
