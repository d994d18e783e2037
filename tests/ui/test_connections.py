import re
import uuid

import pytest
from django.test import Client

from connections.models import Connection, SyncRun
from tests.fixtures.app import ENGLISH

pytestmark = pytest.mark.django_db


def test_connecting_verifies_the_key_and_starts_a_sync(alice_client, sandbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = alice_client.post(
            "/connections/new/", {"name": "Books", "api_key": sandbox.api_key, "base_url": sandbox.base_url}
        )

    assert response.status_code == 302
    connection = Connection.objects.get(name="Books")
    assert str(connection.organization_id) == sandbox.organization_id
    assert SyncRun.objects.filter(connection=connection, kind="full").exists()


def test_a_refused_key_shows_on_the_form_and_saves_nothing(alice_client, sandbox) -> None:
    response = alice_client.post(
        "/connections/new/", {"name": "Books", "api_key": "wrong-key-123", "base_url": sandbox.base_url}
    )

    assert response.status_code == 400
    assert "did not accept this API key" in response.content.decode()
    assert "wrong-key-123" not in response.content.decode()  # a password field is never re-rendered
    assert Connection.objects.count() == 0


def test_the_dashboard_shows_counts_and_the_running_sync(alice_client, connection) -> None:
    from connections.sync import run_sync

    run_sync(run_id=SyncRun.objects.create(connection=connection, kind="full").pk)
    running = SyncRun.objects.create(connection=connection, kind="incremental", state="running", done=3, total=10)

    page = alice_client.get("/").content.decode()
    status = alice_client.get(f"/connections/runs/{running.pk}/status/").json()

    assert 'data-testid="contacts-count">5<' in page
    assert f"/connections/runs/{running.pk}/status/" in page
    assert (status["done"], status["total"], status["percent"]) == (3, 10, 30)


def test_the_dashboard_shows_the_next_sync_and_requests_waiting_for_the_budget(
    alice_client, connection, settings
) -> None:
    from lexoffice.ratelimit import HEADROOM, bucket_id, get_limiter

    settings.LEXHUB_SYNC_INTERVAL_SECONDS = 3600
    connection.rate_limit = 0.5  # one request every two seconds: reserved slots stay ahead while the page renders
    connection.base_url = connection.base_url.replace("127.0.0.1", "localhost")  # a bucket nobody has used yet
    settings.LEXOFFICE_API_BASE_URLS = [*settings.LEXOFFICE_API_BASE_URLS, connection.base_url]
    connection.save()
    SyncRun.objects.create(connection=connection, kind="incremental", state="succeeded")
    assert 'data-testid="queued-requests">budget idle<' in alice_client.get("/").content.decode()

    # Six requests reserved on the key's bucket, as busy workers elsewhere would: five wait behind the first.
    limiter, bucket = get_limiter(), bucket_id(connection.api_key, connection.effective_base_url)
    for _ in range(6):
        assert limiter.reserve(bucket, interval=1 / (connection.rate_limit * HEADROOM), horizon=3600)[0]
    page = alice_client.get("/").content.decode()

    assert "Next sync: in 59\xa0minutes" in page
    assert 'data-testid="queued-requests">5 requests waiting for the budget<' in page


def test_the_dashboard_reads_many_connections_in_as_many_queries_as_one(alice, alice_client, connection) -> None:
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from connections.models import OutboxEntry
    from contacts.models import Contact

    def one_connection_more(name: str, contacts: int, pending_writes: int) -> Connection:
        other = Connection(name=name, owner=alice, base_url=connection.base_url, rate_limit=1000)
        other.set_api_key(f"key-of-{name}")
        other.save()
        for index in range(contacts):
            Contact.objects.create(connection=other, lexoffice_id=uuid.uuid4(), name=f"{name} {index}", raw={})
        for _ in range(pending_writes):
            OutboxEntry.objects.create(
                connection=other, operation="create_contact", payload={}, idempotency_key=uuid.uuid4()
            )
        SyncRun.objects.create(connection=other, kind="full", state="succeeded", requests=contacts)
        return other

    one_connection_more("Client 1", contacts=2, pending_writes=1)
    with CaptureQueriesContext(db) as two:
        alice_client.get("/")
    for index in range(2, 6):
        one_connection_more(f"Client {index}", contacts=index + 1, pending_writes=0)
    running = SyncRun.objects.create(connection=connection, kind="full", state="running", done=1, total=4)
    with CaptureQueriesContext(db) as six:
        page = alice_client.get("/").content.decode()

    assert len(six) == len(two)
    cards = page.split('<section class="card"')[1:]
    assert [re.search(r'<h2 id="conn-\d+">([^<]*)', card)[1].strip() for card in cards] == [
        *(f"Client {index}" for index in range(1, 6)),
        "Sandbox",
    ]
    assert [card.split('data-testid="contacts-count">')[1].split("<")[0] for card in cards] == [
        "2",
        "3",
        "4",
        "5",
        "6",
        "0",
    ]
    assert 'Pending writes</div><div class="figure">1<' in cards[0]
    assert "Last sync: Full, succeeded" in cards[0] and "(2 requests)" in cards[0]
    assert f"/connections/runs/{running.pk}/status/" in cards[5]
    # Their keys have sent nothing (the sandbox's was just verified, so its bucket may be a slot ahead).
    assert all('data-testid="queued-requests">budget idle<' in card for card in cards[:5])
    assert all('value="incremental">Sync now<' in card and 'value="full">Full sync<' in card for card in cards)


def test_other_users_see_nothing_of_a_connection(connection, bob) -> None:
    client = Client(headers=ENGLISH)
    client.force_login(bob)
    run = SyncRun.objects.create(connection=connection, kind="full")

    assert connection.name not in client.get("/connections/").content.decode()
    assert client.get(f"/connections/runs/{run.pk}/status/").status_code == 404
    assert client.post(f"/connections/{connection.pk}/verify/").status_code == 404
    assert client.post(f"/connections/{connection.pk}/delete/").status_code == 404
    assert Connection.objects.filter(pk=connection.pk).exists()


def test_members_see_but_only_owners_manage(connection, bob) -> None:
    connection.members.add(bob)
    client = Client(headers=ENGLISH)
    client.force_login(bob)

    assert connection.name in client.get("/connections/").content.decode()
    assert client.post(f"/connections/{connection.pk}/delete/").status_code == 404


def test_deleting_removes_the_connection(alice_client, connection) -> None:
    assert alice_client.post(f"/connections/{connection.pk}/delete/").status_code == 302
    assert not Connection.objects.filter(pk=connection.pk).exists()


def test_the_event_log_lists_and_replays(alice_client, connection) -> None:
    from webhooks.models import WebhookEvent

    event = WebhookEvent.objects.create(
        connection=connection,
        event_type="contact.changed",
        resource_id="x",
        event_date="2026-01-01T00:00:00.000+01:00",
        state="dead",
        error="boom",
    )

    page = alice_client.get("/events/?state=dead").content.decode()
    replayed = alice_client.post(f"/events/{event.pk}/replay/")

    assert "contact.changed" in page
    assert replayed.status_code == 302
    assert WebhookEvent.objects.get(pk=event.pk).state in ("pending", "processed")
