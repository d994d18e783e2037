"""Chaos: the receiver is down, then answers 500, then recovers, while 1,000 changes happen.

The issue's shape is 60 s down and 60 s of 500s; here each phase lasts PHASE seconds and the back-off is
scaled down (base 0.2 s, cap 1 s, through the worker's environment) so the run stays near half a minute;
`LEXHUB_CHAOS_PHASE_SECONDS=60` runs the issue's full shape.
The changes go through the mirror's real path (bulk_upsert, 20 batches of 50 contacts); a real Celery
worker delivers. Afterwards: every event delivered, each webhook-id processed once by the receiver, and
per record the sequence orders the versions as they were stored.
"""

import os
import time
import uuid
from pathlib import Path

import pytest

from connections import crypto
from connections.mirror import bulk_upsert
from connections.models import Connection
from contacts.models import Contact
from harness.processes import stop_process
from outgoing.models import Delivery, Event
from outgoing.services import create_endpoint
from tests.outgoing.conftest import start_outgoing_worker

PHASE = float(os.environ.get("LEXHUB_CHAOS_PHASE_SECONDS", "12"))
RECORDS, ROUNDS = 50, 20


def contact_row(lexoffice_id: uuid.UUID, version: int) -> dict:
    raw = {"id": str(lexoffice_id), "version": version, "company": {"name": f"Firma {lexoffice_id.hex[:6]}"}}
    return {"name": raw["company"]["name"], "version": version, "raw": raw}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_change_arrives_once_and_in_order_after_an_outage(
    alice, receiver, allow_loopback, private_celery_queue, tmp_path: Path, monkeypatch
) -> None:
    worker = start_outgoing_worker(
        private_celery_queue,
        tmp_path / "worker.log",
        monkeypatch,
        LEXHUB_OUTGOING_WEBHOOKS_RETRY_BASE_SECONDS="0.2",
        LEXHUB_OUTGOING_WEBHOOKS_RETRY_CAP_SECONDS="1",
    )
    try:
        connection = Connection.objects.create(name="Chaos", owner=alice, api_key_encrypted=crypto.encrypt("k"))
        ids = [uuid.uuid4() for _ in range(RECORDS)]
        bulk_upsert(model=Contact, connection=connection, rows={i: contact_row(i, 0) for i in ids})
        receiver.secret = create_endpoint(
            connection=connection, user=alice, url=receiver.url, event_types=["contact.*"]
        ).secret

        receiver.stop()  # down: connections refused
        started = time.monotonic()
        for version in range(1, ROUNDS + 1):
            if time.monotonic() - started > PHASE and not receiver.failing:
                receiver.failing = True  # up again, but answering 500
                receiver.start()
            bulk_upsert(model=Contact, connection=connection, rows={i: contact_row(i, version) for i in ids})
            time.sleep(2 * PHASE / ROUNDS)  # the changes spread over both phases
        assert receiver.failing and receiver.requests > 0  # the 500 phase was reached by deliveries
        receiver.failing = False
        recovered = time.monotonic()

        deadline = time.monotonic() + 60
        while Delivery.objects.exclude(state=Delivery.State.DELIVERED).exists():
            assert time.monotonic() < deadline, Delivery.objects.exclude(state=Delivery.State.DELIVERED).count()
            time.sleep(0.2)
        print(f"all {RECORDS * ROUNDS} delivered {time.monotonic() - recovered:.1f}s after the receiver recovered")
    finally:
        stop_process(worker)

    events = list(Event.objects.filter(connection=connection).order_by("pk"))
    assert len(events) == RECORDS * ROUNDS
    payloads = receiver.payloads()
    assert sorted(p["data"]["sequence"] for p in payloads) == [event.pk for event in events]
    assert set(receiver.processed) == {event.webhook_id for event in events}
    assert receiver.duplicates == 0 and receiver.forged == 0
    for lexoffice_id in ids:
        mine = sorted(
            (p for p in payloads if p["data"]["lexofficeId"] == str(lexoffice_id)), key=lambda p: p["data"]["sequence"]
        )
        assert [p["data"]["record"]["version"] for p in mine] == list(range(1, ROUNDS + 1))
    assert Delivery.objects.filter(attempts__gt=1).exists()
