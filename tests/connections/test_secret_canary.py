"""The API key is a secret: across the connection flows it appears in no log, page or API response."""

import logging

import pytest
from django.db import connection as db
from django.test import Client
from rest_framework.test import APIClient

from lexhub.models import Connection

pytestmark = pytest.mark.django_db


def test_the_key_appears_in_no_log_page_or_response(alice, sandbox_server, caplog,
                                                    django_capture_on_commit_callbacks) -> None:
    caplog.set_level(logging.DEBUG)
    org = sandbox_server.new_org(contacts=2, api_key="canary-KEY-5f0c1e7d-do-not-leak")
    canary = org.api_key
    web, api = Client(), APIClient()
    web.force_login(alice)
    api.force_authenticate(alice)
    seen: list[str] = []

    with django_capture_on_commit_callbacks(execute=True):
        seen.append(web.post("/connections/new/", {"name": "Canary", "api_key": canary,
                                                   "base_url": org.base_url}, follow=True).content.decode())
        seen.append(web.post("/connections/new/", {"name": "Wrong", "api_key": canary + "-wrong",
                                                   "base_url": org.base_url}).content.decode())
    pk = Connection.objects.get(name="Canary").pk
    for path in ("/", "/connections/", f"/connections/{pk}/key/", f"/connections/{pk}/delete/", "/events/"):
        seen.append(web.get(path).content.decode())
    for path in ("/api/v1/connections/", f"/api/v1/connections/{pk}/", "/api/schema/"):
        seen.append(api.get(path).content.decode())
    seen.append(api.post(f"/api/v1/connections/{pk}/verify/").content.decode())
    org.configure(keyStatus="revoked")  # failure paths: 401 from Lexoffice
    seen.append(api.post(f"/api/v1/connections/{pk}/verify/").content.decode())
    seen.append(web.post(f"/connections/{pk}/verify/", follow=True).content.decode())
    seen.append(api.post(f"/api/v1/connections/{pk}/key/", {"apiKey": canary + "-new"}, format="json")
                .content.decode())
    org.configure(keyStatus="forbidden")
    seen.append(api.post(f"/api/v1/connections/{pk}/sync/", {}, format="json").content.decode())
    seen.append(caplog.text)

    assert [text[:200] for text in seen if canary in text] == []
    with db.cursor() as cursor:
        cursor.execute("SELECT api_key_encrypted FROM lexhub_connection WHERE id = %s", [pk])
        stored = cursor.fetchone()[0]
    assert canary not in stored
    assert stored.startswith("gAAAA")  # a Fernet token
