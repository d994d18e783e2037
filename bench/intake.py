"""Intake: N mails with one receipt each in a private Dovecot, read by one mailbox poll (what the worker runs)
with the sandbox as Lexoffice at 2 requests per second. Wall time against the upload floor (requests / rate),
429s reaching the sandbox, receipts upstream."""

import time
import uuid
from email.message import EmailMessage

import requests
from django.contrib.auth import get_user_model
from django.test.utils import override_settings

from bench import env
from bench.rows import Row
from harness.dovecot import PrivateDovecot

RATE = 2.0
USER, PASSWORD = "bench", "bench-mail-password"


def receipt(seed: int) -> bytes:
    """A readable one-page PDF, distinct per mail (intake refuses a PDF no reader can open as damaged)."""
    from sandbox.documents import pdf

    return pdf([f"Rechnung {seed}", "Bench intake receipt"])


def mails(count: int, run_id: str) -> list[bytes]:
    out = []
    for n in range(count):
        message = EmailMessage()
        message["From"] = "lieferant@example.org"
        message["Subject"] = f"Rechnung {n}"
        message.set_content("Anbei die Rechnung.")
        message.add_attachment(receipt(hash((run_id, n))), maintype="application", subtype="pdf", filename=f"R{n}.pdf")
        out.append(message.as_bytes())
    return out


@override_settings(LEXHUB_INTAKE_ALLOWED_NETWORKS=["127.0.0.0/8"])  # the private Dovecot listens on loopback
def run(quick: bool) -> list[Row]:
    from connections.services import create_connection
    from intake.imap import poll_mailbox
    from intake.models import IntakeItem, Mailbox

    count = 30 if quick else 500
    run_id = uuid.uuid4().hex[:6]
    owner, _ = get_user_model().objects.get_or_create(username="bench-intake")
    dovecot = PrivateDovecot()
    try:
        dovecot.add_user(USER, PASSWORD)
        dovecot.start()
        with env.sandbox() as base_url:
            org = requests.post(f"{base_url}/_sandbox/organizations", json={"seed": 7, "rateLimit": 0}, timeout=60)
            key = org.json()["apiKey"]
            connection = create_connection(
                name=f"bench intake {run_id}", api_key=key, owner=owner, base_url=base_url, rate_limit=RATE
            )
            mailbox = Mailbox(connection=connection, host="127.0.0.1", port=dovecot.port, username=USER)
            mailbox.security = Mailbox.Security.NONE
            mailbox.set_password(PASSWORD)
            mailbox.save()
            dovecot.append(USER, PASSWORD, mails(count, run_id))
            config = {"apiKey": key, "rateLimit": RATE, "burst": 2}
            requests.post(f"{base_url}/_sandbox/config", json=config, timeout=10)
            requests.delete(f"{base_url}/_sandbox/requests", timeout=10)
            time.sleep(1.5)  # the bucket refills after the connection check, as it would between mails
            started = time.monotonic()
            items = IntakeItem.objects.filter(connection=connection)
            while items.filter(state="uploaded").count() < count:
                Mailbox.objects.filter(pk=mailbox.pk).update(next_poll_at=None)
                poll_mailbox(mailbox_id=mailbox.pk)
                if time.monotonic() - started > count * 3 + 60:
                    break
            wall = time.monotonic() - started
            counters = requests.get(f"{base_url}/_sandbox/requests", params={"apiKey": key}, timeout=10).json()
            sent, too_many = counters["counters"]["requests"], counters["counters"].get("429", 0)
            uploaded = items.filter(state="uploaded").count()
            left = dovecot.count(USER, PASSWORD, "INBOX")
    finally:
        dovecot.cleanup()
    floor = sent / RATE
    print(f"   mails={count} uploaded={uploaded} requests={sent} wall={wall:.1f}s floor={floor:.1f}s 429s={too_many}")
    size = f"{count} mails x 1 receipt @{RATE:g}/s"
    return [
        Row(f"intake wall / upload floor ({size})", 1.10, wall / floor if floor else 99, "ratio"),
        Row(f"intake 429s reaching the sandbox ({size})", 0, too_many, "count"),
        Row(f"intake receipts uploaded ({size})", count, uploaded, "count", higher_is_better=True),
        Row(f"intake mails left in the inbox ({size})", 0, left, "count"),
    ]
