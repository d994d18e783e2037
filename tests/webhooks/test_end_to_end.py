"""Through the real parts: sandbox → signed delivery → live receiver → inbox → Celery worker → mirror."""

import time

import pytest
import requests

from connections.models import SyncRun
from connections.services import create_connection
from connections.sync import run_sync
from contacts.models import Contact
from webhooks.models import EventSubscription, WebhookEvent
from webhooks.subscriptions import EVENT_TYPES, register_webhooks


@pytest.fixture
def sandbox_key_file(sandbox_server, tmp_path, settings):
    pem = tmp_path / "sandbox_public_key.pem"
    url = f"{sandbox_server.base_url}/webhookSignature/public/public_key.pub"
    pem.write_bytes(requests.get(url, timeout=5).content)
    settings.LEXOFFICE_WEBHOOK_PUBLIC_KEYS = [str(pem)]
    return pem


@pytest.fixture
def live_connection(alice, sandbox_server, live_server, settings, sandbox_key_file):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.LEXHUB_AUTO_REGISTER_WEBHOOKS = False  # registered below, in this process
    org = sandbox_server.new_org(contacts=4, vouchers=4, invoices=2, seed=7)
    connection = create_connection(
        name="Live", api_key=org.api_key, owner=alice, base_url=org.base_url, rate_limit=1000
    )
    register_webhooks(connection=connection)
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    return connection, org


def wait_until(condition, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout}s")


@pytest.mark.django_db(transaction=True)
def test_registration_subscribes_every_event_type_once(live_connection) -> None:
    connection, org = live_connection

    register_webhooks(connection=connection)  # twice: idempotent

    remote = org.api("GET", "/v1/event-subscriptions").json()["content"]
    assert sorted(s["eventType"] for s in remote) == sorted(EVENT_TYPES)
    assert EventSubscription.objects.filter(connection=connection).count() == len(EVENT_TYPES)


@pytest.mark.django_db(transaction=True)
def test_a_change_in_lexoffice_reaches_the_mirror_within_five_seconds(live_connection, celery_worker) -> None:
    connection, org = live_connection
    contact = Contact.objects.filter(connection=connection, is_company=True).first()

    org.mutate("contact", "change", str(contact.lexoffice_id), {"note": "edited in the Lexoffice web app"})
    elapsed = wait_until(
        lambda: Contact.objects.get(pk=contact.pk).raw.get("note") == "edited in the Lexoffice web app", timeout=5
    )

    # The worker writes the mirror, then marks the event in a second statement (a crash between them only
    # replays an idempotent refresh), so the event may still read pending for a moment.
    event = WebhookEvent.objects.get(connection=connection, resource_id=str(contact.lexoffice_id))
    wait_until(lambda: WebhookEvent.objects.get(pk=event.pk).state == WebhookEvent.State.PROCESSED, timeout=2)
    assert elapsed < 5
