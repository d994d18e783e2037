"""A worker killed in the middle of a sync: the run is picked up again and the mirror ends identical."""

import os
import signal
import time

import pytest

from connections.models import SyncRun
from connections.sync import resume_stalled_runs, start_sync
from contacts.models import Contact
from harness.mirror import mirror_differences
from harness.processes import stop_process
from tests.fixtures.app import start_worker
from vouchers.models import Voucher


@pytest.mark.django_db(transaction=True)
def test_a_sync_survives_a_killed_worker(alice, sandbox_server, private_celery_queue, settings, tmp_path) -> None:
    from connections.services import create_connection

    settings.LEXHUB_AUTO_REGISTER_WEBHOOKS = False
    org = sandbox_server.new_org(contacts=30, vouchers=60, invoices=20, seed=21)
    connection = create_connection(
        name="Crash", api_key=org.api_key, owner=alice, base_url=org.base_url, rate_limit=25
    )  # slow enough to be killed half-way
    worker = start_worker(private_celery_queue, tmp_path / "worker-1.log")
    run = start_sync(connection=connection, kind=SyncRun.Kind.FULL)
    deadline = time.monotonic() + 60
    while SyncRun.objects.get(pk=run.pk).done < 40:
        assert time.monotonic() < deadline, "the sync did not get going"
        time.sleep(0.1)
    os.killpg(worker.pid, signal.SIGKILL)  # main process and its pool children, mid-run
    worker.wait(timeout=10)
    interrupted = SyncRun.objects.get(pk=run.pk)
    assert interrupted.state == SyncRun.State.RUNNING

    SyncRun.objects.filter(pk=run.pk).update(lease_until=None)  # as if the lease ran out
    replacement = start_worker(private_celery_queue, tmp_path / "worker-2.log")
    try:
        resume_stalled_runs()  # what beat does every minute; the broker may also redeliver (acks_late)
        deadline = time.monotonic() + 120
        while not SyncRun.objects.get(pk=run.pk).is_finished:
            assert time.monotonic() < deadline, "the sync did not finish after the restart"
            time.sleep(0.2)
    finally:
        stop_process(replacement)

    assert SyncRun.objects.get(pk=run.pk).state == SyncRun.State.SUCCEEDED
    assert mirror_differences(connection, org) == []
    assert Contact.objects.filter(connection=connection).count() == 30
    assert Voucher.objects.filter(connection=connection).count() == len(
        {v.lexoffice_id for v in Voucher.objects.filter(connection=connection)}
    )
