"""Leases: a row is taken by one worker at a time, and again once its worker's lease has run out."""

import uuid
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from connections import leases
from connections.models import OutboxEntry, SyncRun
from connections.sync import SyncBusy
from connections.sync import claim as claim_run
from connections.writes import claim_entry
from webhooks.models import WebhookEvent
from webhooks.tasks import claim as claim_event

pytestmark = pytest.mark.django_db


def outbox_entry(connection, **fields) -> OutboxEntry:
    return OutboxEntry.objects.create(
        connection=connection, operation="create_contact", payload={}, idempotency_key=uuid.uuid4(), **fields
    )


def test_a_free_row_is_taken_once_until_its_lease_runs_out(connection) -> None:
    entry = outbox_entry(connection)
    rows = OutboxEntry.objects.filter(pk=entry.pk)
    now = timezone.now()
    lease = timedelta(seconds=60)

    assert leases.claim(rows, field="locked_until", lease=lease, now=now, attempts=F("attempts") + 1)
    assert not leases.claim(rows, field="locked_until", lease=lease, now=now + lease - timedelta(seconds=1))
    assert leases.claim(rows, field="locked_until", lease=lease, now=now + lease + timedelta(seconds=1))

    entry.refresh_from_db()
    assert entry.attempts == 1  # the updates go with the lease that took the row, not with a refusal
    assert entry.locked_until == now + 2 * lease + timedelta(seconds=1)


def test_outbox_entries_and_webhook_events_are_taken_only_while_pending(connection) -> None:
    pending, sent = outbox_entry(connection), outbox_entry(connection, state=OutboxEntry.State.SENT)
    assert claim_entry(pending.pk).attempts == 1
    assert claim_entry(pending.pk) is None  # held
    assert claim_entry(sent.pk) is None
    OutboxEntry.objects.filter(pk=pending.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert claim_entry(pending.pk).attempts == 2

    event = WebhookEvent.objects.create(
        connection=connection,
        event_type="contact.changed",
        resource_id=str(uuid.uuid4()),
        event_date="2024-05-01T10:00:00.000+02:00",
    )
    assert claim_event(event.pk).attempts == 1
    assert claim_event(event.pk) is None
    WebhookEvent.objects.filter(pk=event.pk).update(state=WebhookEvent.State.PROCESSED, locked_until=None)
    assert claim_event(event.pk) is None


def test_a_sync_run_is_taken_while_unfinished_and_busy_while_held(connection) -> None:
    run = SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL)
    taken = claim_run(run.pk)
    assert taken.state == SyncRun.State.RUNNING and taken.started_at is not None
    with pytest.raises(SyncBusy):
        claim_run(run.pk)

    SyncRun.objects.filter(pk=run.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    again = claim_run(run.pk)
    assert again.started_at == taken.started_at  # a resumed run keeps its start

    SyncRun.objects.filter(pk=run.pk).update(state=SyncRun.State.SUCCEEDED, lease_until=None)
    assert claim_run(run.pk) is None
