"""A watched folder: stable files taken once, moved to processed/ or failed/ with the reason beside them."""

import os
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from tests.intake.mails import receipt_pdf, receipt_png


def put(directory, name: str, payload: bytes, *, age: float = 60) -> None:
    path = directory / name
    path.write_bytes(payload)
    past = time.time() - age
    os.utime(path, (past, past))


def test_files_are_uploaded_once_and_moved_with_their_reasons(watched, intake_root, sandbox_empty):
    from intake.folder import poll_folder
    from intake.models import DoorState, IntakeItem, WatchedFolder

    scanner = intake_root / "scanner"
    put(scanner, "scan-1.pdf", receipt_pdf("scan 1"))
    put(scanner, "scan-2.png", receipt_png(2))
    put(scanner, "scan-3.pdf", receipt_pdf("scan 1"))  # the same bytes, taken after scan-1 (by name)
    put(scanner, "readme.txt", b"not a receipt")
    put(scanner, "broken.pdf", b"%PDF-1.4 cut off")
    put(scanner, "still-copying.pdf", receipt_pdf("later"), age=-5)  # changed just now: not stable yet

    poll_folder(folder_id=watched.pk)

    assert WatchedFolder.objects.get().state == DoorState.OK
    states = dict(IntakeItem.objects.values_list("filename", "state"))
    assert states == {
        "scan-1.pdf": "uploaded",
        "scan-2.png": "uploaded",
        "scan-3.pdf": "duplicate",
        "readme.txt": "skipped",
        "broken.pdf": "refused",
    }
    assert sorted(p.name for p in (scanner / "processed").iterdir()) == [
        "scan-1.pdf",
        "scan-2.png",
        "scan-3.pdf",
        "scan-3.pdf.reason.txt",
    ]
    assert sorted(p.name for p in (scanner / "failed").iterdir()) == [
        "broken.pdf",
        "broken.pdf.reason.txt",
        "readme.txt",
        "readme.txt.reason.txt",
    ]
    # the receipt checks' own words, in the deployment's language (German by default)
    assert gettext("The file looks truncated or damaged.") in (scanner / "failed" / "broken.pdf.reason.txt").read_text()
    assert [p.name for p in scanner.iterdir() if p.is_file()] == ["still-copying.pdf"]
    posts = [r for r in sandbox_empty.requests_log() if r["method"] == "POST" and r["path"] == "/v1/files"]
    assert len(posts) == 2


def test_a_receipt_that_came_by_mail_is_not_sent_again_from_the_folder(watched, intake_root, sandbox_empty):
    from intake.folder import poll_folder
    from intake.items import Received, process_item, record
    from intake.models import IntakeItem

    payload = receipt_pdf("by mail first")
    [item] = record(
        connection=watched.connection,
        source=IntakeItem.Source.MAIL,
        received=[Received("INBOX:1:1:1", "INBOX:1:1", 1, "mail.pdf", "application/pdf", payload)],
    )
    process_item(item_id=item.pk)
    put(intake_root / "scanner", "scan.pdf", payload)
    poll_folder(folder_id=watched.pk)

    assert dict(IntakeItem.objects.values_list("source", "state")) == {"mail": "uploaded", "folder": "duplicate"}
    folder_item = IntakeItem.objects.get(source="folder")
    assert folder_item.duplicate_of_id is not None
    posts = [r for r in sandbox_empty.requests_log() if r["method"] == "POST" and r["path"] == "/v1/files"]
    assert len(posts) == 1


@pytest.mark.parametrize("path", ["../outside", "/etc", "scanner/../../x", ""])
def test_a_folder_outside_the_intake_root_is_refused(intake_root, path):
    from intake.folder import resolve

    with pytest.raises(ValidationError):
        resolve(path)


def test_a_missing_folder_shows_its_state(watched, intake_root, settings):
    from intake.folder import poll_folder
    from intake.models import DoorState, WatchedFolder

    (intake_root / "scanner").rmdir()
    poll_folder(folder_id=watched.pk)
    row = WatchedFolder.objects.get()
    assert (row.state, row.failures) == (DoorState.MISSING, 1)
    (intake_root / "scanner").mkdir()
    WatchedFolder.objects.update(next_poll_at=None)
    poll_folder(folder_id=watched.pk)
    assert WatchedFolder.objects.get().state == DoorState.OK


def test_the_sender_allowlist_takes_addresses_and_domains():
    from intake.models import Mailbox

    mailbox = Mailbox(allowed_senders="rechnung@lieferant.de\n@stadtwerke.de\n")
    assert mailbox.sender_allowed("Rechnung@Lieferant.de")
    assert mailbox.sender_allowed("noreply@stadtwerke.de")
    assert not mailbox.sender_allowed("someone@example.org")
    assert Mailbox(allowed_senders="").sender_allowed("anyone@example.org")


def test_beat_polls_the_doors():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["poll-intake"]["task"] == "intake.tasks.poll_due_doors_task"
