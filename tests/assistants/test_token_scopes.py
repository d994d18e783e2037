"""Token scopes: a read-only token reads but writes nothing (REST API and MCP alike); tokens from before
scopes keep full power; the page and create_api_token choose the scope."""

from io import StringIO

import pytest
from django.core.management import call_command
from knox.models import AuthToken
from rest_framework.test import APIClient

from lexhub.models import TokenScope
from lexhub.token_scope import is_read_only
from lexhub.tokens import issue_token

pytestmark = pytest.mark.django_db


def with_token(text: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    return client


def test_a_read_only_token_reads_but_cannot_write_through_the_rest_api(alice) -> None:
    reader = with_token(issue_token(alice, read_only=True)[1])

    assert reader.get("/api/v1/contacts/").status_code == 200
    refused = reader.post("/api/v1/tokens/")
    assert refused.status_code == 403 and "read-only" in refused.json()["message"]
    assert AuthToken.objects.filter(user=alice).count() == 1


def test_a_token_from_before_scopes_and_a_read_write_token_may_write(alice) -> None:
    _old, old_text = AuthToken.objects.create(user=alice)  # no scope row, as every token made before scopes
    _new, new_text = issue_token(alice, read_only=False)

    for text in (old_text, new_text):
        created = with_token(text).post("/api/v1/tokens/", {"readOnly": True}, format="json")
        assert created.status_code == 201 and created.json()["readOnly"] is True
    assert with_token(new_text).post("/api/v1/tokens/").json()["readOnly"] is False


def test_the_page_makes_a_read_only_token_when_asked(alice, alice_client) -> None:
    page = alice_client.get("/accounts/tokens/").content.decode()
    assert 'name="scope"' in page

    text = alice_client.post("/accounts/tokens/", {"scope": "read"}).context["new_token"]

    token = AuthToken.objects.get(token_key=text[:15])
    assert is_read_only(token)
    listed = alice_client.get("/accounts/tokens/").content.decode()
    assert "only read" in listed
    text = alice_client.post("/accounts/tokens/", {"scope": "write"}).context["new_token"]
    assert not is_read_only(AuthToken.objects.get(token_key=text[:15]))


def test_create_api_token_makes_a_read_only_token_with_the_flag(alice) -> None:
    out = StringIO()
    call_command("create_api_token", "alice", "--read-only", stdout=out)

    token = AuthToken.objects.get(token_key=out.getvalue().strip()[:15])
    assert TokenScope.objects.get(token=token).read_only
