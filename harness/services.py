"""Private servers for tests and chaos campaigns: Redis and PostgreSQL of our own on free loopback ports.

Never the machine's shared instances (5432/6379): each server here lives in a temporary directory,
is started and ended by this process, and can be killed and restarted to inject a fault.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from glob import glob
from pathlib import Path

from harness.processes import free_port, spawn


def wait_for_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.02)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f}s")


class PrivateRedis:
    """A redis-server of our own on a free loopback port, which may be killed and restarted empty."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = spawn(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            log_path=self.workdir / "redis.log",
        )
        wait_for_port(self.port, 10, "private redis-server")

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def restart_empty(self) -> None:
        self.kill()
        self.start()


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL server binaries (Debian layout), or None."""
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    """initdb + pg_ctl in a temporary directory, on a free loopback port; trust auth for one local user.

    PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user."""

    USER = "lexhub"

    def __init__(self, workdir: Path) -> None:
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self.bin = bin_dir
        self.port = free_port()
        self.workdir = workdir
        self.data = workdir / "pgdata"
        self.log = workdir / "postgres.log"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgres://{self.USER}@127.0.0.1:{self.port}/lexhub"

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed: {done.stdout.decode(errors='replace')[-2000:]}")

    def init(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self._as:  # the postgres user must reach its directory through ours
            shutil.chown(self.workdir, "postgres")
            for parent in self.workdir.parents:
                if parent.stat().st_uid == 0 and parent != Path("/"):
                    parent.chmod(parent.stat().st_mode | 0o011)
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", self.USER, "-A", "trust", "-E", "UTF8", "--no-sync"
        )
        self.start()
        import psycopg

        with psycopg.connect(f"postgres://{self.USER}@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE lexhub")

    def start(self) -> None:
        # fsync off: the campaigns kill the server, not the machine; the page cache keeps what was written.
        options = (
            f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200 -c full_page_writes=off"
        )
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is a crash: no checkpoint, open transactions cut off, recovery on the next start."""
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
