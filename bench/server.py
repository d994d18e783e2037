"""The app served by gunicorn for HTTP benchmarks, and the credentials a load generator sends."""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import env
from harness.processes import free_port


@dataclass
class Server:
    base_url: str
    master_pid: int

    def worker_pids(self) -> list[int]:
        """gunicorn's workers: the master's children, read from /proc."""
        return sorted(
            int(stat.parent.name)
            for stat in Path("/proc").glob("[0-9]*/stat")
            if (fields := _stat_fields(stat)) and int(fields[1]) == self.master_pid
        )


def _stat_fields(stat: Path) -> list[str] | None:
    """/proc/PID/stat after the command name (fields 3 onwards), or None for a process gone meanwhile."""
    try:
        return stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_by_process(pids: list[int]) -> dict[tuple[int, int], float]:
    """User + system CPU seconds of each process still running, keyed by (pid, start time) so that a pid
    the system hands to a new process is a new key."""
    spent = {}
    for pid in pids:
        if fields := _stat_fields(Path(f"/proc/{pid}/stat")):
            spent[(pid, int(fields[19]))] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return spent


def cpu_spent(before: dict[tuple[int, int], float], pids_now: list[int]) -> float:
    """CPU seconds used since `before` (cpu_by_process) by the processes running now: those started since
    count whole, those that ended since count nothing. Summing each set at both ends instead would subtract
    an ended process's whole past (a database backend replaced when its connection reached CONN_MAX_AGE:
    seconds of CPU, against a batch's fraction of one)."""
    return sum(seconds - before.get(key, 0.0) for key, seconds in cpu_by_process(pids_now).items())


def postgres_pids(database: str | None = None) -> list[int]:
    """PostgreSQL's server processes on the machine (backends, writers): what serving a request costs the
    database when nothing else uses it meanwhile. With `database`, only the backends serving clients of that
    database: the autovacuum and background writers, whose work comes in bursts that do not follow the
    requests measured, are left out."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
        except OSError:
            continue
        if not words or not Path(words[0]).name.startswith("postgres"):
            continue
        # A backend's title: "postgres: 15/main: <user> <database> <client address> <state>".
        if database is None or (database in words and "autovacuum" not in words):
            pids.append(int(cmdline.parent.name))
    return pids


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """Resident memory (or VmHWM, its peak) of a process in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


@contextmanager
def gunicorn(
    *, workers: int, worker_class: str = "sync", threads: int = 1, env_extra: dict[str, str] | None = None
) -> Iterator[Server]:
    port = free_port()
    args = [
        str(Path(sys.executable).parent / "gunicorn"),
        "lexhub.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(workers),
        "-k",
        worker_class,
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "--backlog",
        "256",
        "--keep-alive",
        "30",
    ]
    base_url = f"http://127.0.0.1:{port}"
    with env.process(
        args,
        ready_url=f"{base_url}/healthz",
        name="gunicorn",
        env={
            # Lexhub's settings plus the anchors under /_anchor/ (bench/anchor_urls.py), served by the same workers.
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "LEXHUB_SERVER_TIMING": "true",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_DEBUG": "false",
            **(env_extra or {}),
        },
    ) as master:
        yield Server(base_url, master.pid)


def session_cookie(user) -> str:
    """A logged-in session for `user`, as the browser would hold it after /accounts/login/."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def api_token(user) -> str:
    from knox.models import AuthToken

    _instance, token = AuthToken.objects.create(user)
    return token
