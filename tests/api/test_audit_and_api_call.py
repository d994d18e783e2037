import json

import pytest

from connections.models import AuditLog
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def call(client, connection, **body):
    return client.post(f"/api/v1/connections/{connection.pk}/api-call/", body, format="json")


def test_an_owner_makes_an_api_call_and_finds_it_in_the_audit_log(connection, sandbox, owner) -> None:
    response = call(owner, connection, method="GET", path="/v1/profile")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["bodyEncoding"]) == (200, "utf-8")
    assert json.loads(body["body"])["organizationId"] == sandbox.organization_id
    assert sandbox.api_key not in response.content.decode()
    entries = owner.get("/api/v1/audit-log/").json()["results"]
    assert (entries[0]["action"], entries[0]["path"], entries[0]["result"]) == ("api_call", "/v1/profile", "ok")
    assert entries[0]["user"] == "alice"


def test_lexoffices_own_error_answers_are_passed_through(connection, owner) -> None:
    response = call(owner, connection, method="GET", path="/v1/contacts/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 200
    assert response.json()["status"] == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"method": "GET", "path": "http://127.0.0.1:1/v1/contacts"}, "path"),
        ({"method": "GET", "path": "/v1/%2e%2e/admin"}, "path"),
        ({"method": "GET", "path": "/v1/x\r\nHost: evil"}, "path"),
        ({"method": "TRACE", "path": "/v1/profile"}, "method"),
        ({"method": "GET", "path": "/v1/profile", "headers": {"Authorization": "Bearer x"}}, "path"),
        ({"method": "GET", "path": "/v1/profile", "query": {"a": {"nested": 1}}}, "query.a"),
    ],
)
def test_crafted_calls_are_refused_with_a_400(connection, sandbox, owner, body, field) -> None:
    before = sandbox.counters()["requests"]

    response = call(owner, connection, **body)

    assert response.status_code == 400, response.content
    assert field in response.json()["fieldErrors"], response.json()
    assert sandbox.counters()["requests"] == before


def test_only_the_owner_may_make_api_calls(connection, sandbox, bob, staff) -> None:
    connection.members.add(bob)
    member = token_client(bob)

    refused = call(member, connection, method="GET", path="/v1/profile")
    hidden = call(token_client(staff), connection, method="GET", path="/v1/profile")

    assert (refused.status_code, refused.json()["code"]) == (403, "write_error")
    assert hidden.status_code == 404
    assert member.get("/api/v1/contacts/").status_code == 200  # a member reads the mirror all the same
    assert not AuditLog.objects.filter(user=staff).exists()


def test_the_audit_log_shows_only_the_users_connections(connection, owner, other, alice, bob) -> None:
    AuditLog.objects.create(
        connection=connection,
        user=alice,
        action="create_contact",
        method="POST",
        path="/v1/contacts",
        result="sent",
        status=200,
    )
    AuditLog.objects.create(
        connection=None, user=bob, action="api_call", method="GET", path="/v1/profile", result="ok", status=200
    )

    mine = owner.get("/api/v1/audit-log/").json()["results"]
    theirs = other.get("/api/v1/audit-log/").json()["results"]

    assert [entry["action"] for entry in mine] == ["create_contact"]
    assert [entry["action"] for entry in theirs] == ["api_call"]  # their own entry of a deleted connection
