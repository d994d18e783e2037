import pytest

from connections.models import AuditLog
from contacts.sync import push_contact

pytestmark = pytest.mark.django_db


def test_the_owner_makes_an_api_call_and_it_is_audited(alice_client, connection, sandbox) -> None:
    response = alice_client.post(
        f"/connections/{connection.pk}/api-call/",
        {"method": "GET", "path": "/v1/contacts", "query": "page=0\nsize=2", "accept": "application/json"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<span data-testid="api-status">200</span>' in html
    assert "&quot;totalElements&quot;" in html
    assert any(r["path"] == "/v1/contacts" and "size=2" in str(r["query"]) for r in sandbox.requests_log())
    entry = AuditLog.objects.get(action="api_call")
    assert (entry.method, entry.path, entry.status, entry.result) == ("GET", "/v1/contacts", 200, "ok")


@pytest.mark.parametrize(
    "path",
    ["https://evil.example/v1/profile", "//evil.example/v1/profile", "/v1/../internal", "/v1/%2e%2e/x", "/v2/profile"],
)
def test_paths_outside_v1_are_refused_on_the_path_field(alice_client, connection, sandbox, path) -> None:
    before = sandbox.counters()["requests"]

    response = alice_client.post(
        f"/connections/{connection.pk}/api-call/", {"method": "GET", "path": path, "accept": "application/json"}
    )

    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert sandbox.counters()["requests"] == before
    assert AuditLog.objects.get(action="api_call").result == "refused"


def test_a_malformed_query_is_a_field_error(alice_client, connection, sandbox) -> None:
    response = alice_client.post(
        f"/connections/{connection.pk}/api-call/",
        {"method": "GET", "path": "/v1/profile", "query": "no equals sign", "accept": "application/json"},
    )

    assert response.status_code == 400
    assert "name=value" in response.content.decode()


def test_only_the_owner_sees_the_api_call_page(bob_client, bob, connection) -> None:
    assert bob_client.get(f"/connections/{connection.pk}/api-call/").status_code == 404
    connection.members.add(bob)  # shared with bob: he may read, not call the API with alice's key
    assert bob_client.get(f"/connections/{connection.pk}/api-call/").status_code == 404
    assert (
        bob_client.post(
            f"/connections/{connection.pk}/api-call/",
            {"method": "GET", "path": "/v1/profile", "accept": "application/json"},
        ).status_code
        == 404
    )


def test_the_audit_log_lists_writes_of_visible_connections_only(
    alice_client, bob_client, alice, connection, sandbox
) -> None:
    push_contact(connection=connection, data={"roles": {"customer": {}}, "company": {"name": "Audit GmbH"}}, user=alice)

    mine = alice_client.get("/audit/").content.decode()
    filtered = alice_client.get("/audit/", {"action": "api_call"}).content.decode()
    theirs = bob_client.get("/audit/").content.decode()

    # actions and results in words, not Lexhub's codes
    assert "<td>Contact created</td>" in mine and ">sent<" in mine and "create_contact</td>" not in mine
    assert "<td>Contact created</td>" not in filtered
    assert "<td>Contact created</td>" not in theirs and "Nothing recorded yet." in theirs
    assert 'href="/audit/" aria-current="page">Audit log</a>' in mine


def test_the_audit_page_costs_the_same_queries_for_many_entries(
    alice_client, alice, connection, django_assert_max_num_queries
) -> None:
    AuditLog.objects.bulk_create(
        [
            AuditLog(
                connection=connection,
                user=alice,
                action="api_call",
                method="GET",
                path=f"/v1/x/{i}",
                result="ok",
                status=200,
            )
            for i in range(120)
        ]
    )

    with django_assert_max_num_queries(6):
        response = alice_client.get("/audit/")

    assert response.context["page"].next_cursor
