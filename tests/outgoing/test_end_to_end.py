"""Through the real parts: a change in the sandbox (signed webhook -> live receiver -> Celery worker ->
mirror) and a write in Lexhub (outbox) each reach a receiver as a signed delivery with the whole record,
delivered by a real Celery worker and verified with the standardwebhooks library."""

import time
from pathlib import Path

import pytest

from contacts.models import Contact
from contacts.sync import push_contact
from harness.processes import stop_process
from invoices.models import SalesDocument
from outgoing.models import Delivery
from outgoing.services import create_endpoint
from tests.api.conftest import token_client
from tests.outgoing.conftest import dumped, start_outgoing_worker
from tests.payloads import NEW_COMPANY
from tests.webhooks.test_end_to_end import live_connection, sandbox_key_file  # noqa: F401  (fixtures)


@pytest.fixture
def outgoing_worker(transactional_db, private_celery_queue: str, tmp_path: Path, monkeypatch, allow_loopback):
    process = start_outgoing_worker(private_celery_queue, tmp_path / "worker.log", monkeypatch)
    yield process
    stop_process(process)


def wait_for(condition, timeout: float = 30.0):  # generous: the CI machine is shared
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout}s")


def one(receiver, event_type: str, lexoffice_id: object) -> dict | None:
    matches = [p for p in receiver.payloads(event_type) if p["data"]["lexofficeId"] == str(lexoffice_id)]
    return matches[-1] if matches else None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sandbox_changes_and_lexhub_writes_reach_the_receiver_with_the_whole_record(
    live_connection,  # noqa: F811
    outgoing_worker,
    receiver,
    alice,
) -> None:
    connection, org = live_connection
    created = create_endpoint(connection=connection, user=alice, url=receiver.url, event_types=["*"])
    receiver.secret = created.secret
    api = token_client(alice)
    contact = Contact.objects.filter(connection=connection, is_company=True).first()
    invoice = SalesDocument.objects.filter(connection=connection, kind="invoice").first()
    assert contact is not None and invoice is not None

    org.mutate("contact", "change", str(contact.lexoffice_id), {"note": "geändert in Lexoffice"})
    changed = wait_for(lambda: one(receiver, "contact.changed", contact.lexoffice_id))
    assert changed["data"]["record"]["note"] == "geändert in Lexoffice"
    assert changed["data"]["record"] == dumped(api.get(f"/api/v1/contacts/{contact.pk}/").json())

    org.mutate("invoice", "change", str(invoice.lexoffice_id), {"remark": "Zahlbar sofort"})
    paid = wait_for(lambda: one(receiver, "invoice.changed", invoice.lexoffice_id))
    assert paid["data"]["record"]["remark"] == "Zahlbar sofort"
    assert paid["data"]["record"] == dumped(api.get(f"/api/v1/sales-documents/{invoice.pk}/").json())

    written = push_contact(connection=connection, data=NEW_COMPANY, user=alice)  # through the outbox
    new = wait_for(lambda: one(receiver, "contact.created", written.lexoffice_id))
    assert new["data"]["record"] == dumped(api.get(f"/api/v1/contacts/{written.pk}/").json())

    org.mutate("contact", "delete", str(contact.lexoffice_id))
    gone = wait_for(lambda: one(receiver, "contact.deleted", contact.lexoffice_id))
    assert gone["data"]["deleted"] is True and gone["data"]["record"]["lexofficeId"] == str(contact.lexoffice_id)

    sequences = [
        p["data"]["sequence"] for p in receiver.payloads() if p["data"]["lexofficeId"] == str(contact.lexoffice_id)
    ]
    assert sequences == sorted(sequences) and len(sequences) >= 2
    assert receiver.forged == 0
    wait_for(lambda: not Delivery.objects.exclude(state=Delivery.State.DELIVERED).exists())  # the rest in flight
    assert receiver.duplicates == 0
