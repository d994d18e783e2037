"""Endpoints are managed by the connection's owner in the REST API and the pages; the secret is shown
once, stored encrypted, and never appears again (answers, pages, logs)."""

import logging

import pytest

from contacts.sync import push_contact
from outgoing.delivery import drain_endpoint
from outgoing.models import Delivery, Endpoint
from tests.api.conftest import token_client
from tests.payloads import NEW_COMPANY

pytestmark = pytest.mark.django_db


def test_the_api_shows_the_secret_once_and_keeps_it_encrypted(connection, alice, receiver, allow_loopback) -> None:
    api = token_client(alice)
    answer = api.post(
        "/api/v1/webhook-endpoints/",
        {"connection": connection.pk, "url": receiver.url, "eventTypes": ["contact.*", "invoice.created"]},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    secret = answer.json()["secret"]
    assert secret.startswith("whsec_")
    endpoint = Endpoint.objects.get()
    assert secret not in endpoint.secret_encrypted and endpoint.event_types == ["contact.*", "invoice.created"]

    listed = api.get("/api/v1/webhook-endpoints/")
    one = api.get(f"/api/v1/webhook-endpoints/{endpoint.pk}/")
    assert listed.status_code == one.status_code == 200
    assert secret not in listed.content.decode() and "secret" not in one.json()

    rotated = api.post(f"/api/v1/webhook-endpoints/{endpoint.pk}/rotate-secret/")
    assert rotated.status_code == 200 and rotated.json()["secret"] not in (secret, "")


def test_unknown_event_types_and_other_peoples_connections_are_refused(
    connection, alice, bob, receiver, allow_loopback
) -> None:
    answer = token_client(alice).post(
        "/api/v1/webhook-endpoints/",
        {"connection": connection.pk, "url": receiver.url, "eventTypes": ["contact.renamed"]},
        format="json",
    )
    assert answer.status_code == 400 and "eventTypes" in answer.json()["fieldErrors"]
    answer = token_client(bob).post(
        "/api/v1/webhook-endpoints/",
        {"connection": connection.pk, "url": receiver.url, "eventTypes": ["*"]},
        format="json",
    )
    assert answer.status_code == 400 and "connection" in answer.json()["fieldErrors"]
    assert not Endpoint.objects.exists()


def test_the_delivery_log_and_replay_in_the_api(endpoint, receiver, alice, bob) -> None:
    push_contact(connection=endpoint.connection, data=NEW_COMPANY, user=alice)
    drain_endpoint(endpoint.pk)
    api = token_client(alice)

    log = api.get(f"/api/v1/webhook-deliveries/?endpoint={endpoint.pk}").json()
    [row] = log["results"]
    assert row["type"] == "contact.created" and row["state"] == "delivered"
    assert row["attemptLog"][0]["status"] == 204 and row["webhookId"] in receiver.processed
    assert api.post(f"/api/v1/webhook-deliveries/{row['id']}/replay/").status_code == 202
    assert Delivery.objects.get().state == Delivery.State.PENDING
    replay = api.post(
        f"/api/v1/webhook-endpoints/{endpoint.pk}/replay/", {"since": "2020-01-01T00:00:00Z"}, format="json"
    )
    assert replay.status_code == 202 and replay.json() == {"replayed": 1}

    other = token_client(bob)
    assert other.get(f"/api/v1/webhook-endpoints/{endpoint.pk}/").status_code == 404
    assert other.get("/api/v1/webhook-deliveries/").json()["results"] == []
    assert other.delete(f"/api/v1/webhook-endpoints/{endpoint.pk}/").status_code == 404
    assert api.delete(f"/api/v1/webhook-endpoints/{endpoint.pk}/").status_code == 204
    assert not Delivery.objects.exists()


def test_the_pages_create_show_the_secret_once_and_list_the_deliveries(
    connection, alice, alice_client, receiver, allow_loopback, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    created = alice_client.post(
        "/outgoing-webhooks/", {"connection": connection.pk, "url": receiver.url, "event_types": ["contact.*"]}
    )
    assert created.status_code == 200
    endpoint = Endpoint.objects.get()
    secret = endpoint.signing_secrets()[0]
    assert secret in created.content.decode()
    receiver.secret = secret

    push_contact(connection=connection, data=NEW_COMPANY, user=alice)
    drain_endpoint(endpoint.pk)
    detail = alice_client.get(f"/outgoing-webhooks/{endpoint.pk}/")
    listing = alice_client.get("/outgoing-webhooks/")
    assert detail.status_code == listing.status_code == 200
    assert "contact.created" in detail.content.decode() and receiver.url in listing.content.decode()
    assert secret not in detail.content.decode() + listing.content.decode()
    assert secret not in caplog.text and secret.removeprefix("whsec_") not in caplog.text

    refused = alice_client.post(
        "/outgoing-webhooks/", {"connection": connection.pk, "url": "http://10.0.0.1/", "event_types": ["*"]}
    )
    assert refused.status_code == 400 and Endpoint.objects.count() == 1
    alice_client.post(f"/outgoing-webhooks/{endpoint.pk}/delete/")
    assert not Endpoint.objects.exists()


def test_another_user_cannot_open_or_delete_an_endpoint(endpoint, bob_client) -> None:
    assert bob_client.get(f"/outgoing-webhooks/{endpoint.pk}/").status_code == 404
    assert bob_client.post(f"/outgoing-webhooks/{endpoint.pk}/delete/").status_code == 404
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()


def test_a_signing_secret_in_a_log_line_or_error_report_is_masked() -> None:
    from lexhub.reporting import scrub

    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    masked = scrub(f"endpoint refused: {secret}; again {secret}")
    assert "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" not in masked and masked.count("whsec_****") == 2
