"""Chaos: a real Celery worker SIGKILLed mid-batch (and Dovecot restarted) -> every receipt upstream exactly once.

The test process plays beat (it sends the intake tick by name every two seconds); the worker runs with short
leases and backoff so a killed worker's work is taken up again within seconds.
"""

import contextlib
import os
import signal
import time
from collections.abc import Callable

import pytest

from tests.fixtures.app import start_worker
from tests.intake.conftest import PASSWORD, USER
from tests.intake.mails import mail, receipt_pdf

TICK_SECONDS = 2.0  # beat's tick, slower than the broker hands out messages so none pile up
FAST = {
    "LEXHUB_INTAKE_LEASE_SECONDS": "3",
    "LEXHUB_INTAKE_BACKOFF_SECONDS": "1",
    "LEXHUB_INTAKE_POLL_SECONDS": "1",
    "LEXHUB_INTAKE_STABLE_SECONDS": "0",
}


@pytest.fixture
def fast_intake(monkeypatch, settings):
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)
        setattr(settings, name, int(value))
    settings.LEXHUB_AUTO_REGISTER_WEBHOOKS = False  # no webhook subscription tasks in the worker's queue


class KillableWorker:
    def __init__(self, queue: str, log_dir) -> None:
        from lexhub.celery import app

        self.queue, self.log_dir, self.kills = queue, log_dir, 0
        with contextlib.suppress(Exception):  # ticks another test left in the session's queue
            app.control.purge()
        self.process = start_worker(queue, log_dir / "worker-0.log")

    def kill_and_restart(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.kills += 1
        self.process = start_worker(self.queue, self.log_dir / f"worker-{self.kills}.log")

    def stop(self) -> None:
        from harness.processes import stop_process

        stop_process(self.process)


def drive(*, until: Callable[[], bool], events: list[tuple[Callable[[], bool], Callable[[], None]]], timeout: float):
    """Send beat's tick until `until()`; fire each event's action once when its condition first holds (checked
    ten times a second, so a kill lands close to its mark)."""
    from lexhub.celery import app

    pending = list(events)
    deadline = time.monotonic() + timeout
    last_tick = 0.0
    while not until():
        assert time.monotonic() < deadline, "intake did not finish in time"
        if time.monotonic() - last_tick >= TICK_SECONDS:
            app.send_task("intake.tasks.poll_due_doors_task")
            last_tick = time.monotonic()
        for event in list(pending):
            if event[0]():
                event[1]()
                pending.remove(event)
        time.sleep(0.1)
    assert not pending, "an injected fault never fired"


def upstream_file_ids(org) -> list[str]:
    """The file of every voucher upstream (a voucher made from an upload holds exactly that file)."""
    files = []
    for voucher_id in upstream_voucher_ids(org):
        response = org.api("GET", f"/v1/vouchers/{voucher_id}")
        response.raise_for_status()
        files.extend(response.json().get("files") or [])
    return files


def upstream_voucher_ids(org) -> set[str]:
    response = org.api("GET", "/v1/voucherlist", params={"voucherType": "any", "voucherStatus": "any", "size": 250})
    response.raise_for_status()
    assert response.json()["totalPages"] == 1
    return {v["id"] for v in response.json()["content"]}


def file_posts(org) -> int:
    return sum(1 for r in org.requests_log() if r["method"] == "POST" and r["path"] == "/v1/files")


@pytest.mark.slow
def test_200_mails_with_three_worker_kills_and_a_dovecot_restart_upload_each_receipt_once(
    transactional_db, fast_intake, mailbox, dovecot, sandbox_empty, private_celery_queue, tmp_path
):
    from intake.models import IntakeItem, Mailbox
    from vouchers.models import Upload

    receipts = [receipt_pdf(f"chaos {n}") for n in range(200)]
    dovecot.append(
        USER,
        PASSWORD,
        [
            mail(
                number=n, receipts=[(f"R{n}.pdf", receipts[n], "application/pdf")], extras=["signature"][: n % 10 == 0]
            )
            for n in range(200)
        ],
    )
    uploaded = IntakeItem.objects.filter(state="uploaded")
    worker = KillableWorker(private_celery_queue, tmp_path)
    try:
        drive(
            until=lambda: uploaded.count() == 200 and dovecot.count(USER, PASSWORD, "INBOX") == 0,
            events=[
                (lambda: uploaded.count() >= 20, worker.kill_and_restart),
                (lambda: uploaded.count() >= 70, dovecot.restart),
                (lambda: uploaded.count() >= 100, worker.kill_and_restart),
                (lambda: uploaded.count() >= 150, worker.kill_and_restart),
            ],
            timeout=180,
        )
    finally:
        worker.stop()

    assert worker.kills == 3
    assert IntakeItem.objects.count() == 220  # 200 receipts, 20 signatures
    assert IntakeItem.objects.filter(state="skipped").count() == 20
    assert Upload.objects.count() == 200  # one per receipt, none made twice
    # Every upstream voucher holds one of our files and each of our files is upstream once. (A worker killed
    # between the upload and fetching its voucher leaves the voucher for its webhook to link: files, not
    # vouchers, are compared.)
    ours = sorted(str(u.file.lexoffice_id) for u in Upload.objects.select_related("file"))
    assert sorted(upstream_file_ids(sandbox_empty)) == ours
    assert len(set(ours)) == 200
    # A worker killed between Lexoffice's answer and the commit sends that one file again (Lexoffice answers
    # with the same file): at most one extra request per kill, never an extra voucher.
    assert 200 <= file_posts(sandbox_empty) <= 203
    assert dovecot.count(USER, PASSWORD, Mailbox._meta.get_field("processed_folder").default) == 200


@pytest.mark.slow
def test_a_folder_of_100_files_with_two_worker_kills_uploads_each_once(
    transactional_db, fast_intake, watched, intake_root, sandbox_empty, private_celery_queue, tmp_path, monkeypatch
):
    monkeypatch.setenv("LEXHUB_INTAKE_ROOT", str(intake_root))  # the worker's root is the test's
    from intake.models import IntakeItem
    from vouchers.models import Upload

    scanner = intake_root / "scanner"
    for n in range(100):
        (scanner / f"scan-{n:03d}.pdf").write_bytes(receipt_pdf(f"folder chaos {n}"))
    uploaded = IntakeItem.objects.filter(state="uploaded")
    worker = KillableWorker(private_celery_queue, tmp_path)
    try:
        drive(
            until=lambda: (
                len(list((scanner / "processed").glob("*.pdf"))) == 100 if (scanner / "processed").exists() else False
            ),
            events=[
                (lambda: uploaded.count() >= 25, worker.kill_and_restart),
                (lambda: uploaded.count() >= 60, worker.kill_and_restart),
            ],
            timeout=120,
        )
    finally:
        worker.stop()

    assert worker.kills == 2
    assert uploaded.count() == IntakeItem.objects.count() == 100
    assert Upload.objects.count() == 100
    ours = sorted(str(u.file.lexoffice_id) for u in Upload.objects.select_related("file"))
    assert sorted(upstream_file_ids(sandbox_empty)) == ours
    assert len(set(ours)) == 100
    assert 100 <= file_posts(sandbox_empty) <= 102
    assert not [p for p in scanner.iterdir() if p.is_file()]
    assert not list((scanner / "failed").iterdir())
