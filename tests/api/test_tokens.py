"""API tokens: owners list, create and revoke their own (REST API and page), never anyone else's;
expiry (LEXHUB_API_TOKEN_TTL) honoured by the API's token authentication."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from harness.processes import ROOT
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/tokens/"


def with_token(text: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    return client


def key_of(client: APIClient) -> str:
    return client._credentials["HTTP_AUTHORIZATION"].split()[1][:15]


# --- REST API -------------------------------------------------------------------------------------


def test_the_list_shows_only_your_own_tokens_and_never_a_digest(alice, bob) -> None:
    owner, spare = token_client(alice), AuthToken.objects.create(user=alice)[0]
    token_client(bob)

    response = owner.get(URL)

    assert response.status_code == 200
    rows = response.json()
    assert {row["tokenKey"] for row in rows} == {key_of(owner), spare.token_key}
    assert [row["current"] for row in rows] == [row["tokenKey"] == key_of(owner) for row in rows]
    assert set(rows[0]) == {"tokenKey", "created", "expiry", "current", "readOnly"}
    digests = AuthToken.objects.values_list("digest", flat=True)
    assert not any(digest in response.content.decode() for digest in digests)


def test_a_created_token_is_returned_once_and_works(alice) -> None:
    owner = token_client(alice)

    created = owner.post(URL)

    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith(body["tokenKey"]) and body["expiry"] is None
    assert AuthToken.objects.get(token_key=body["tokenKey"]).user == alice
    listed = with_token(body["token"]).get(URL).json()
    assert "token" not in listed[0]  # only the answer to the POST holds it
    assert [row["tokenKey"] for row in listed if row["current"]] == [body["tokenKey"]]


def test_a_revoked_token_is_refused(alice) -> None:
    owner, doomed_text = token_client(alice), AuthToken.objects.create(user=alice)[1]
    doomed = with_token(doomed_text)
    assert doomed.get(URL).status_code == 200

    assert owner.delete(f"{URL}{doomed_text[:15]}/").status_code == 204

    refused = doomed.get("/api/v1/connections/")
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_failed"
    assert owner.delete(f"{URL}{doomed_text[:15]}/").status_code == 404  # gone
    # A token may revoke itself.
    assert owner.delete(f"{URL}{key_of(owner)}/").status_code == 204
    assert owner.get(URL).status_code == 401


def test_another_users_token_cannot_be_revoked(alice, bob) -> None:
    owner, stranger = token_client(alice), token_client(bob)

    response = stranger.delete(f"{URL}{key_of(owner)}/")

    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert owner.get(URL).status_code == 200
    assert APIClient().delete(f"{URL}{key_of(owner)}/").status_code == 401


def test_the_ttl_gives_new_tokens_an_expiry_after_which_they_are_refused(alice, settings, monkeypatch) -> None:
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(seconds=60)}
    created = token_client(alice).post(URL).json()
    assert created["expiry"] is not None
    token = with_token(created["token"])
    assert token.get(URL).status_code == 200

    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(seconds=61))

    assert token.get(URL).status_code == 401
    assert not AuthToken.objects.filter(token_key=created["tokenKey"]).exists()  # and deleted


def test_a_token_with_an_expiry_in_the_past_is_refused(alice) -> None:
    client = token_client(alice)
    AuthToken.objects.filter(token_key=key_of(client)).update(expiry=timezone.now() - timedelta(seconds=1))

    assert client.get(URL).status_code == 401


def test_a_token_cannot_make_a_token_that_outlives_it(alice) -> None:
    parent, text = AuthToken.objects.create(user=alice, expiry=timedelta(minutes=10))

    child = with_token(text).post(URL).json()

    assert AuthToken.objects.get(token_key=child["tokenKey"]).expiry <= parent.expiry


def test_the_ttl_setting_is_read_from_the_environment(tmp_path) -> None:
    code = "from django.conf import settings; print(settings.REST_KNOX['TOKEN_TTL'])"
    outputs = []
    for value in ("3600", ""):
        env = {
            **os.environ,
            "LEXHUB_API_TOKEN_TTL": value,
            "DJANGO_SETTINGS_MODULE": "lexhub.settings",
            "LEXHUB_VAR_DIR": str(tmp_path),
        }
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout.strip())
    assert outputs == ["1:00:00", "None"]


def test_the_schema_documents_the_token_endpoints_without_the_digest(client: Client) -> None:
    schema = client.get("/api/schema/?format=json").json()

    assert {"get", "post"} <= set(schema["paths"][URL])
    assert "delete" in schema["paths"][f"{URL}{{tokenKey}}/"]
    assert "digest" not in str(schema["components"]["schemas"]["ApiToken"])
    assert "token" in schema["components"]["schemas"]["NewApiToken"]["properties"]


# --- page -----------------------------------------------------------------------------------------


def test_the_page_lists_creates_and_revokes_your_own_tokens(alice, bob, alice_client: Client) -> None:
    theirs = AuthToken.objects.create(user=bob)[0]
    mine = AuthToken.objects.create(user=alice)[0]

    page = alice_client.get("/accounts/tokens/")
    html = page.content.decode()
    assert page.status_code == 200
    assert mine.token_key in html and theirs.token_key not in html
    assert 'href="/accounts/tokens/"' in html  # in the navigation

    created = alice_client.post("/accounts/tokens/")
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    text = created.context["new_token"]
    assert text in created.content.decode()
    assert with_token(text).get(URL).status_code == 200
    assert text not in alice_client.get("/accounts/tokens/").content.decode()  # shown once

    revoked = alice_client.post(f"/accounts/tokens/{text[:15]}/revoke/")
    assert revoked.status_code == 302
    assert with_token(text).get(URL).status_code == 401
    assert alice_client.post(f"/accounts/tokens/{theirs.token_key}/revoke/").status_code == 404
    assert AuthToken.objects.filter(pk=theirs.pk).exists()
    assert Client().get("/accounts/tokens/").status_code == 302  # to the login page
