import sys
import threading
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from connections.models import Connection, SyncRun
from connections.sync import finish, run_sync
from lexoffice.client import LexofficeError


class Command(BaseCommand):
    help = "Run a sync of one connection in the foreground, with a progress bar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Connection name")
        parser.add_argument("--full", action="store_true", help="Full sync (default: incremental)")

    def handle(self, *args: object, **options: object) -> None:
        connection = Connection.objects.filter(name=options["name"]).first()
        if connection is None:
            raise CommandError(f"no connection named {options['name']!r}")
        if SyncRun.objects.unfinished().filter(connection=connection).exists():
            raise CommandError("a sync of this connection is already queued or running")
        kind = SyncRun.Kind.FULL if options["full"] else SyncRun.Kind.INCREMENTAL
        if not connection.sync_runs.filter(state=SyncRun.State.SUCCEEDED).exists():
            kind = SyncRun.Kind.FULL
        run = SyncRun.objects.create(connection=connection, kind=kind)
        started = time.monotonic()
        result: dict = {}

        def work() -> None:
            try:
                result["run"] = run_sync(run_id=run.pk)
            except LexofficeError as exc:
                result["error"] = exc
            except Exception as exc:  # shown below, without a traceback full of internals
                result["error"] = exc

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(0.5)
            self._draw(SyncRun.objects.get(pk=run.pk), time.monotonic() - started)
        run.refresh_from_db()
        self._draw(run, time.monotonic() - started)
        sys.stdout.write("\n")
        if "error" in result or run.state != SyncRun.State.SUCCEEDED:
            if run.state != SyncRun.State.FAILED:
                finish(run, state=SyncRun.State.FAILED, error=str(result.get("error", "")))
            raise CommandError(f"sync failed: {result.get('error') or run.error}")
        summary = ", ".join(
            f"{resource}: " + " ".join(f"{k} {v}" for k, v in counts.items() if v and k != "seen")
            for resource, counts in run.counts.items()
        )
        self.stdout.write(self.style.SUCCESS(f"{run.kind} sync done: {run.requests} requests; {summary}"))

    def _draw(self, run: SyncRun, elapsed: float) -> None:
        width = 30
        filled = int(width * run.percent / 100)
        bar = "#" * filled + "-" * (width - filled)
        sys.stdout.write(
            f"\r[{bar}] {run.percent:3d}% {run.phase:<16} {run.done}/{run.total} {run.requests} req {elapsed:5.0f}s"
        )
        sys.stdout.flush()
