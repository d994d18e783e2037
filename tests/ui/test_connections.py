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
