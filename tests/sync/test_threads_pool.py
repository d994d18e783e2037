"""Many accounts on one worker: with Celery's threads pool a worker runs several syncs at once, each
within its own key's rate limit (what bench/accounts.py scales to 50 and more connections)."""

import time

import pytest

from connections.models import SyncRun
from connections.sync import start_sync
from harness.mirror import mirror_differences
from harness.processes import spawn, stop_process, worker_command
from tests.fixtures.app import worker_database_url

RATE = 4.0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_one_threads_worker_syncs_three_accounts_at_once_each_at_its_limit(
    alice, sandbox_server, private_celery_queue, settings, tmp_path
) -> None:
    from connections.services import create_connection

    settings.LEXHUB_AUTO_REGISTER_WEBHOOKS = False
    orgs = [sandbox_server.new_org(contacts=3, vouchers=12, invoices=2, seed=30 + i) for i in range(3)]
    connections = [
        create_connection(name=f"Client {i}", api_key=org.api_key, owner=alice, base_url=org.base_url, rate_limit=RATE)
        for i, org in enumerate(orgs)
    ]
    for org in orgs:
        org.configure(rateLimit=RATE, burst=2)
    log = tmp_path / "worker.log"
    worker = spawn(
        [*worker_command(private_celery_queue, concurrency=3, name="test"), "--pool", "threads"],
        env={"DATABASE_URL": worker_database_url(), "LEXHUB_CELERY_QUEUE": private_celery_queue},
        log_path=log,
    )
    try:
        runs = [start_sync(connection=c, kind=SyncRun.Kind.FULL) for c in connections]
        deadline = time.monotonic() + 120
        while SyncRun.objects.filter(pk__in=[r.pk for r in runs]).unfinished().exists():
            assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.2)
    finally:
        stop_process(worker)

    finished = [SyncRun.objects.get(pk=r.pk) for r in runs]
    assert [r.state for r in finished] == [SyncRun.State.SUCCEEDED] * 3, [r.error for r in finished]
    # At once: every run started before any of them finished.
    assert max(r.started_at for r in finished) < min(r.finished_at for r in finished)
    for org, connection in zip(orgs, connections, strict=True):
        assert org.counters()["429"] == 0
        org.configure(rateLimit=0)  # the comparison's own reads are not the sync's
        assert mirror_differences(connection, org) == []
