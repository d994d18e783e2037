import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from connections.mirror import upsert_one
from connections.models import SyncRun
from connections.sync import run_sync, start_sync
from contacts.models import Contact
from harness.mirror import mirror_differences, row_fingerprint
from lexoffice.client import LexofficeError
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db


def sync_now(connection, kind=SyncRun.Kind.FULL) -> SyncRun:
    run = SyncRun.objects.create(
        connection=connection, kind=kind, since=timezone.now() - timedelta(days=1) if kind == "incremental" else None
    )
    return run_sync(run_id=run.pk)


def test_a_full_sync_mirrors_every_record(connection, sandbox) -> None:
    run = sync_now(connection)

    assert run.state == SyncRun.State.SUCCEEDED, run.error
    assert mirror_differences(connection, sandbox) == []
    assert Contact.objects.filter(connection=connection).count() == 5
    assert run.requests > 0
    assert run.done == run.total


def test_a_second_full_sync_writes_nothing(connection, sandbox) -> None:
    sync_now(connection)
    before = row_fingerprint(connection)

    run = sync_now(connection)

    assert row_fingerprint(connection) == before
    assert all(counts["created"] == 0 and counts["updated"] == 0 for counts in run.counts.values()), run.counts


def test_an_incremental_sync_with_nothing_changed_is_cheap_and_writes_nothing(connection, sandbox) -> None:
    sync_now(connection)
    before = row_fingerprint(connection)
    sandbox_requests = sandbox.counters()["requests"]

    run = sync_now(connection, SyncRun.Kind.INCREMENTAL)

    assert run.state == SyncRun.State.SUCCEEDED, run.error
    assert sandbox.counters()["requests"] - sandbox_requests <= 25
    assert row_fingerprint(connection) == before


def test_an_incremental_sync_picks_up_upstream_changes(connection, sandbox) -> None:
    sync_now(connection)
    contact = Contact.objects.filter(connection=connection, is_company=True).first()
    sandbox.mutate("contact", "change", str(contact.lexoffice_id), {"note": "changed upstream"})

    sync_now(connection, SyncRun.Kind.INCREMENTAL)

    contact.refresh_from_db()
    assert contact.raw.get("note") == "changed upstream"
    assert mirror_differences(connection, sandbox) == []


def test_a_full_sync_marks_records_deleted_upstream(connection, sandbox) -> None:
    sync_now(connection)
    invoice = Voucher.objects.filter(connection=connection, voucher_type="invoice").first()
    sandbox.mutate("invoice", "delete", str(invoice.lexoffice_id))

    sync_now(connection)

    invoice.refresh_from_db()
    assert invoice.deleted_upstream_at is not None


def test_only_one_sync_per_connection_is_unfinished(connection, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        first = start_sync(connection=connection, kind=SyncRun.Kind.FULL)
        second = start_sync(connection=connection, kind=SyncRun.Kind.FULL)

    assert first.pk == second.pk
    assert SyncRun.objects.unfinished().filter(connection=connection).count() == 1


def test_a_sync_that_finishes_while_another_is_requested_does_not_lose_the_request(
    connection, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        first = start_sync(connection=connection, kind=SyncRun.Kind.FULL)
    unfinished = SyncRun.objects.unfinished

    def finishing_first(*args, **kwargs):  # the worker ends the first run between the refusal and the lookup
        SyncRun.objects.filter(pk=first.pk).update(state=SyncRun.State.SUCCEEDED)
        return unfinished(*args, **kwargs)

    monkeypatch.setattr(SyncRun.objects, "unfinished", finishing_first)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        second = start_sync(connection=connection, kind=SyncRun.Kind.INCREMENTAL)

    assert second.pk != first.pk and second.state == SyncRun.State.QUEUED
    assert len(queued) == 1  # and its task is sent


def test_an_older_copy_never_overwrites_a_newer_one(connection) -> None:
    lexoffice_id = uuid.uuid4()
    newer = {"name": "Newer", "version": 3, "raw": {"version": 3}}
    older = {"name": "Older", "version": 2, "raw": {"version": 2}}
    upsert_one(model=Contact, connection=connection, lexoffice_id=lexoffice_id, fields=newer)

    outcome = upsert_one(model=Contact, connection=connection, lexoffice_id=lexoffice_id, fields=older)

    assert outcome == "unchanged"
    assert Contact.objects.get(lexoffice_id=lexoffice_id).name == "Newer"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_sync_converges_despite_injected_faults(connection, sandbox, seed: int) -> None:
    sandbox.set_faults(
        [
            {"path": "^/v1/", "method": "GET", "rate": 0.05, "kind": "status", "status": 429},
            {"path": "^/v1/", "method": "GET", "rate": 0.05, "kind": "status", "status": 500},
            {"path": "^/v1/", "method": "GET", "rate": 0.04, "kind": "status", "status": 503},
            {"path": "^/v1/", "method": "GET", "rate": 0.03, "kind": "status", "status": 504},
            {"path": "^/v1/", "method": "GET", "rate": 0.03, "kind": "drop"},
        ],
        seed=seed,
    )
    run = SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL)
    for _attempt in range(10):  # what Celery's retry does: run the same run again after a transient error
        try:
            run = run_sync(run_id=run.pk)
            break
        except LexofficeError as exc:
            assert exc.retryable  # noqa: PT017
    sandbox.clear_faults()

    assert run.state == SyncRun.State.SUCCEEDED
    assert mirror_differences(connection, sandbox) == []


def test_an_incremental_sync_after_200_changes_costs_pages_plus_200(
    alice, sandbox_server, django_capture_on_commit_callbacks
) -> None:
    from connections.services import create_connection

    org = sandbox_server.new_org(contacts=10, vouchers=260, seed=13)
    with django_capture_on_commit_callbacks(execute=False):
        connection = create_connection(
            name="Changes", api_key=org.api_key, owner=alice, base_url=org.base_url, rate_limit=1000
        )
    sync_now(connection)
    bookkeeping = [
        str(v)
        for v in Voucher.objects.filter(connection=connection)
        .exclude(voucher_status="unchecked")
        .values_list("lexoffice_id", flat=True)[:200]
    ]
    for voucher_id in bookkeeping:
        org.mutate("voucher", "change", voucher_id, {"remark": "changed in the web app"})
    before = org.counters()["requests"]

    run = sync_now(connection, SyncRun.Kind.INCREMENTAL)

    sent = org.counters()["requests"] - before
    pages = 1 + 1  # one contacts page, one voucher-list page of the changed entries
    assert run.state == SyncRun.State.SUCCEEDED
    assert sent <= pages + 200
    assert all(
        v.details["remark"] == "changed in the web app"
        for v in Voucher.objects.filter(connection=connection, lexoffice_id__in=bookkeeping)
    )


@pytest.mark.django_db(transaction=True)  # the command syncs in a thread with its own connection
def test_the_sync_command_runs_in_the_foreground(connection, sandbox, capsys) -> None:
    from django.core.management import call_command

    call_command("sync", connection.name, "--full")

    out = capsys.readouterr().out
    assert "100%" in out
    assert "full sync done" in out
    assert SyncRun.objects.get(connection=connection).state == SyncRun.State.SUCCEEDED
