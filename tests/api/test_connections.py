import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from connections.models import Connection, SyncRun

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    from knox.models import AuthToken

    _instance, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_tokens_are_printed_once_and_stored_hashed(alice, capsys) -> None:
    from knox.models import AuthToken

    call_command("create_api_token", "alice")
    token = capsys.readouterr().out.strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get("/api/v1/connections/").status_code == 200
    assert not AuthToken.objects.filter(digest=token).exists()
    assert token not in str(list(AuthToken.objects.values()))


def test_anonymous_requests_are_refused(connection) -> None:
    client = APIClient()
    for path in ("/api/v1/connections/", "/api/v1/sync-runs/", "/api/v1/webhook-events/"):
        assert client.get(path).status_code == 401


def test_a_connection_is_created_with_a_verified_key_that_is_never_returned(
    alice, sandbox, django_capture_on_commit_callbacks
):
    client = token_client(alice)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            "/api/v1/connections/",
            {"name": "Books", "apiKey": sandbox.api_key, "baseUrl": sandbox.base_url},
            format="json",
        )

    assert response.status_code == 201, response.content
    assert response.json()["organizationId"] == sandbox.organization_id
    assert "apiKey" not in response.json()
    assert sandbox.api_key not in client.get("/api/v1/connections/").content.decode()


def test_a_refused_key_is_a_400_with_a_message(alice, sandbox) -> None:
    response = token_client(alice).post(
        "/api/v1/connections/", {"name": "Books", "apiKey": "nope", "baseUrl": sandbox.base_url}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "connection_rejected"
    assert Connection.objects.count() == 0


def test_lists_are_scoped_to_the_users_connections(connection, alice, bob) -> None:
    SyncRun.objects.create(connection=connection, kind="full")
    mine, theirs = token_client(alice), token_client(bob)

    assert len(mine.get("/api/v1/connections/").json()) == 1
    assert theirs.get("/api/v1/connections/").json() == []
    assert theirs.get("/api/v1/sync-runs/").json()["results"] == []
    assert theirs.get(f"/api/v1/connections/{connection.pk}/").status_code == 404
    assert theirs.post(f"/api/v1/connections/{connection.pk}/sync/", {}, format="json").status_code == 404


def test_a_sync_is_started_and_its_progress_read(connection, alice, django_capture_on_commit_callbacks) -> None:
    client = token_client(alice)
    with django_capture_on_commit_callbacks(execute=False):
        started = client.post(f"/api/v1/connections/{connection.pk}/sync/", {"kind": "full"}, format="json")

    assert started.status_code == 202
    run = client.get(f"/api/v1/sync-runs/{started.json()['id']}/").json()
    assert (run["kind"], run["state"]) == ("full", "queued")


def test_the_schema_documents_the_endpoints(alice) -> None:
    client = APIClient()
    client.force_authenticate(alice)
    schema = client.get("/api/schema/?format=json").json()

    assert "/api/v1/connections/" in schema["paths"]
    assert "/api/v1/connections/{id}/sync/" in schema["paths"]


@pytest.mark.parametrize("key", ["schlüssel-\U00085a23", "two words", "\x0ekey"])
def test_a_key_that_cannot_travel_in_a_header_is_a_400_before_any_request(alice, sandbox, key) -> None:
    before = sandbox.counters()["requests"]

    response = token_client(alice).post(
        "/api/v1/connections/", {"name": "Books", "apiKey": key, "baseUrl": sandbox.base_url}, format="json"
    )

    assert response.status_code == 400
    assert "apiKey" in response.json()["fieldErrors"]
    assert sandbox.counters()["requests"] == before
