"""A mailbox against a real Dovecot and the sandbox: every part accounted for, every receipt sent once."""

from collections import Counter

import pytest
from django.utils.translation import gettext

from tests.intake.conftest import PASSWORD, USER
from tests.intake.mails import mail, receipt_pdf, receipt_png


def upstream_vouchers(org) -> list[dict]:
    response = org.api("GET", "/v1/voucherlist", params={"voucherType": "any", "voucherStatus": "any", "size": 250})
    response.raise_for_status()
    return response.json()["content"]


def file_posts(org) -> list[dict]:
    return [r for r in org.requests_log() if r["method"] == "POST" and r["path"] == "/v1/files"]


def fifty_mails() -> list[bytes]:
    """80 receipts and 30 parts that are not receipts, in 50 mails (some forwarded, some with odd names)."""
    mails = []
    for number in range(50):
        receipts = [(f"Rechnung-{number}.pdf", receipt_pdf(f"{number}-a"), "application/pdf")]
        forwarded = []
        if number < 30:
            second = (f"Beleg {number} Größe.png", receipt_png(number), "image/png")
            if number % 3 == 0:
                forwarded = [second]  # inside a forwarded mail
            else:
                receipts.append(second)
        extras = ["signature"] if number < 10 else ["calendar"] if number < 20 else ["logo"] if number < 30 else []
        mails.append(mail(number=number, receipts=receipts, extras=extras, forwarded=forwarded))
    return mails


@pytest.mark.slow
def test_fifty_mails_become_eighty_vouchers_and_every_part_is_accounted_for(mailbox, dovecot, sandbox_empty):
    from intake.imap import poll_mailbox
    from intake.models import DoorState, IntakeItem, Mailbox

    dovecot.append(USER, PASSWORD, fifty_mails())
    poll_mailbox(mailbox_id=mailbox.pk)

    mailbox.refresh_from_db()
    assert mailbox.state == DoorState.OK, mailbox.state_detail
    items = IntakeItem.objects.filter(connection=mailbox.connection)
    assert items.count() == 110
    states = Counter(items.values_list("state", flat=True))
    assert states == {"uploaded": 80, "skipped": 30}
    reasons = Counter(items.filter(state="skipped").values_list("reason", flat=True))
    assert set(reasons.values()) == {10}  # signature, calendar, inline logo
    assert len(set(items.filter(state="uploaded").values_list("sha256", flat=True))) == 80
    assert items.filter(state="uploaded", upload__file__isnull=True).count() == 0

    assert len(upstream_vouchers(sandbox_empty)) == 80
    assert len(file_posts(sandbox_empty)) == 80  # none sent twice
    assert dovecot.count(USER, PASSWORD, "INBOX") == 0
    assert dovecot.count(USER, PASSWORD, Mailbox._meta.get_field("processed_folder").default) == 50

    # A second poll finds nothing new and sends nothing.
    Mailbox.objects.filter(pk=mailbox.pk).update(next_poll_at=None)
    poll_mailbox(mailbox_id=mailbox.pk)
    assert len(file_posts(sandbox_empty)) == 80
    assert IntakeItem.objects.filter(connection=mailbox.connection).count() == 110


def test_the_same_receipt_in_another_mail_is_a_duplicate_not_sent_again(mailbox, dovecot, sandbox_empty):
    from intake.imap import poll_mailbox
    from intake.models import IntakeItem

    same = ("Rechnung.pdf", receipt_pdf("einmal"), "application/pdf")
    dovecot.append(USER, PASSWORD, [mail(number=1, receipts=[same])])
    poll_mailbox(mailbox_id=mailbox.pk)
    dovecot.append(USER, PASSWORD, [mail(number=2, receipts=[same], sender="andere@example.org")])
    poll_mailbox(mailbox_id=mailbox.pk)

    items = IntakeItem.objects.filter(connection=mailbox.connection).order_by("pk")
    assert [i.state for i in items] == ["uploaded", "duplicate"]
    assert items[1].duplicate_of_id is not None or items[1].reason
    assert len(file_posts(sandbox_empty)) == 1
    assert dovecot.count(USER, PASSWORD, "INBOX") == 0


def test_odd_parts_are_refused_or_skipped_with_a_reason(mailbox, dovecot, sandbox_empty):
    from email.message import EmailMessage

    from intake.imap import poll_mailbox
    from intake.models import IntakeItem

    message = EmailMessage()
    message["From"] = "x@example.org"
    message["Subject"] = "=?iso-8859-1?q?Rechnung_f=FCr_M=E4rz?="
    message.set_content("Text")
    big = b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024) + b"\n%%EOF\n"
    message.add_attachment(big, maintype="application", subtype="pdf", filename="gross.pdf")
    message.add_attachment(b"%PDF-1.4 abgeschnitten", maintype="application", subtype="pdf", filename="kaputt.pdf")
    message.add_attachment(
        receipt_pdf("rfc2231"), maintype="application", subtype="pdf", filename="Quittung für März.pdf"
    )
    message.add_attachment("Notizen", filename="notes.txt")
    raw = message.as_bytes().replace(b'filename="kaputt.pdf"', b'filename="=?iso-8859-1?q?K=E4se.pdf?="')
    dovecot.append(USER, PASSWORD, [raw])
    poll_mailbox(mailbox_id=mailbox.pk)

    items = list(IntakeItem.objects.filter(connection=mailbox.connection).order_by("part_index"))
    assert [(i.filename, i.state) for i in items] == [
        ("gross.pdf", "refused"),
        ("Käse.pdf", "refused"),
        ("Quittung für März.pdf", "uploaded"),
        ("notes.txt", "skipped"),
    ]
    # the receipt checks' own words, in the deployment's language (German by default)
    assert items[0].reason == gettext("The file is larger than 20 MB, the most Lexhub accepts.")
    assert items[1].reason == gettext("The file looks truncated or damaged.")
    assert items[0].subject == "Rechnung für März"
    assert not items[0].content  # the refused 20 MiB were never stored
    assert len(file_posts(sandbox_empty)) == 1
    assert dovecot.count(USER, PASSWORD, "INBOX") == 0


@pytest.mark.parametrize("fault", ["password", "host"])
def test_a_broken_mailbox_shows_its_state_and_recovers_by_itself(mailbox, dovecot, sandbox_empty, fault, settings):
    from intake.imap import poll_mailbox
    from intake.models import DoorState, IntakeItem, Mailbox
    from intake.tasks import poll_due_doors_task

    settings.LEXHUB_INTAKE_BACKOFF_SECONDS = 0
    good_port = mailbox.port
    if fault == "password":
        mailbox.set_password("wrong-password")
    else:
        from harness.processes import free_port

        mailbox.port = free_port()  # nothing listens there
    mailbox.save()
    dovecot.append(USER, PASSWORD, [mail(number=7, receipts=[("R.pdf", receipt_pdf("7"), "application/pdf")])])

    poll_mailbox(mailbox_id=mailbox.pk)
    poll_mailbox(mailbox_id=mailbox.pk)
    mailbox.refresh_from_db()
    expected = DoorState.AUTH_FAILED if fault == "password" else DoorState.UNREACHABLE
    assert (mailbox.state, mailbox.failures) == (expected, 2)
    assert "wrong-password" not in mailbox.state_detail
    assert mailbox.next_poll_at is not None
    assert IntakeItem.objects.count() == 0

    # Fixed: the next due poll (beat's tick) takes the mail without anyone pressing a button.
    Mailbox.objects.filter(pk=mailbox.pk).update(port=good_port)
    fixed = Mailbox.objects.get(pk=mailbox.pk)
    fixed.set_password(PASSWORD)
    fixed.save(update_fields=["password_encrypted"])
    assert mailbox.pk in __import__("intake.doors", fromlist=["due"]).due(Mailbox)
    poll_mailbox(mailbox_id=mailbox.pk)
    fixed.refresh_from_db()
    assert (fixed.state, fixed.failures) == (DoorState.OK, 0)
    assert IntakeItem.objects.get().state == "uploaded"
    assert poll_due_doors_task is not None


def test_backoff_grows_with_each_failure(mailbox, settings):
    from datetime import timedelta

    from intake import doors
    from intake.models import DoorState, Mailbox

    settings.LEXHUB_INTAKE_BACKOFF_SECONDS = 60
    waits = []
    for _ in range(3):
        doors.failed(Mailbox, mailbox.pk, state=DoorState.UNREACHABLE, detail="x")
        row = Mailbox.objects.get(pk=mailbox.pk)
        waits.append(round((row.next_poll_at - row.last_polled_at) / timedelta(seconds=1)))
    assert waits == [60, 120, 240]
    assert mailbox.pk not in doors.due(Mailbox)


def test_a_move_cut_off_after_the_copy_leaves_one_copy_in_the_processed_folder(
    mailbox, dovecot, sandbox_empty, monkeypatch
):
    import imaplib

    from imap_tools import BaseMailBox

    from intake.imap import poll_mailbox
    from intake.models import DoorState, IntakeItem, Mailbox

    dovecot.append(USER, PASSWORD, [mail(number=3, receipts=[("R.pdf", receipt_pdf("cut"), "application/pdf")])])

    def copy_then_drop(self, uid_list, destination_folder, chunks=None):  # the server copied, then the line broke
        self.copy(uid_list, destination_folder)
        raise imaplib.IMAP4.abort("connection lost")

    with monkeypatch.context() as patched:
        patched.setattr(BaseMailBox, "move", copy_then_drop)
        poll_mailbox(mailbox_id=mailbox.pk)
    assert Mailbox.objects.get().state == DoorState.UNREACHABLE
    assert dovecot.count(USER, PASSWORD, "INBOX") == 1

    Mailbox.objects.update(next_poll_at=None)
    poll_mailbox(mailbox_id=mailbox.pk)
    assert Mailbox.objects.get().state == DoorState.OK
    assert dovecot.count(USER, PASSWORD, "INBOX") == 0
    assert dovecot.count(USER, PASSWORD, "Lexhub-processed") == 1
    assert IntakeItem.objects.get().state == "uploaded"
    assert len(file_posts(sandbox_empty)) == 1
