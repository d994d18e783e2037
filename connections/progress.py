"""Progress of a SyncRun, written to its row so the UI and API can show it live."""

import time
from collections import defaultdict
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from connections.models import SyncRun
from lexoffice.client import Lexoffice

OUTCOMES = ("seen", "created", "updated", "unchanged", "deleted", "failed")
FLUSH_EVERY_SECONDS = 0.5
LEASE = timedelta(seconds=90)


class Progress:
    """Counts per resource and outcome; flushed to the SyncRun row at most twice a second."""

    def __init__(self, run: SyncRun | None, client: Lexoffice | None = None) -> None:
        self.run = run
        self.client = client
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
        self._requests_at_start = client.requests_sent if client else 0
        self._last_flush = 0.0
        if run is not None:
            for resource, outcomes in (run.counts or {}).items():
                self.counts[resource].update(outcomes)

    def count(self, resource: str, outcome: str, n: int = 1) -> None:
        self.counts[resource][outcome] += n
        if outcome != "seen":
            self.counts[resource]["seen"] += n
        if self.run is not None and outcome != "seen":
            self.run.done += n
        self.maybe_flush()

    def phase(self, name: str, total: int | None = None) -> None:
        if self.run is None:
            return
        self.run.phase = name
        if total is not None:
            self.run.total = max(self.run.total, self.run.done + total)
        self.flush()

    def add_total(self, n: int) -> None:
        if self.run is not None:
            self.run.total += n
            self.maybe_flush()

    def error(self, resource: str) -> None:
        self.count(resource, "failed")
        if self.run is not None:
            self.run.errors += 1

    def checkpoint(self, **values: object) -> None:
        if self.run is None:
            return
        self.run.checkpoint = {**self.run.checkpoint, **values}
        self.flush()

    def maybe_flush(self) -> None:
        if time.monotonic() - self._last_flush >= FLUSH_EVERY_SECONDS:
            self.flush()

    def flush(self) -> None:
        self._last_flush = time.monotonic()
        if self.run is None:
            return
        requests_now = self.client.requests_sent if self.client else 0
        SyncRun.objects.filter(pk=self.run.pk).update(
            phase=self.run.phase,
            done=self.run.done,
            total=max(self.run.total, self.run.done),
            counts=dict(self.counts),
            requests=F("requests") + (requests_now - self._requests_at_start),
            errors=self.run.errors,
            checkpoint=self.run.checkpoint,
            lease_until=timezone.now() + LEASE,
        )
        self._requests_at_start = requests_now
