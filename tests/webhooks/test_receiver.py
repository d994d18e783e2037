import base64
import json
import random
import uuid

import pytest
from django.test import Client

from tests.webhooks.conftest import payload
from webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db


def deliver(client: Client, connection, body: bytes, signature: str | None, **headers) -> object:
    if signature is not None:
        headers["HTTP_X_LXO_SIGNATURE"] = signature
    return client.post(
        f"/webhooks/lexoffice/{connection.webhook_token}/", data=body, content_type="application/json", **headers
    )


def body_for(connection, name: str = "contact_changed", **changes: str) -> bytes:
    return payload(name, organizationId=str(connection.organization_id), **changes)


def test_a_signed_delivery_is_stored_and_acknowledged(
    client, connection, trusted_signer, django_capture_on_commit_callbacks
) -> None:
    body = body_for(connection)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = deliver(client, connection, body, trusted_signer.sign(body))

    assert response.status_code == 202
    event = WebhookEvent.objects.get()
    assert (event.event_type, event.state) == ("contact.changed", WebhookEvent.State.PENDING)
    assert len(callbacks) == 1  # processing is enqueued only after the commit


def test_a_duplicate_delivery_is_acknowledged_once_stored(client, connection, trusted_signer) -> None:
    body = body_for(connection)
    first = deliver(client, connection, body, trusted_signer.sign(body))
    second = deliver(client, connection, body, trusted_signer.sign(body))

    assert (first.status_code, second.status_code) == (202, 200)
    assert WebhookEvent.objects.count() == 1


def test_another_organization_is_stored_as_ignored_and_acknowledged(client, connection, trusted_signer) -> None:
    body = payload("contact_changed")  # organizationId of some other account

    response = deliver(client, connection, body, trusted_signer.sign(body))

    assert response.status_code == 200
    assert WebhookEvent.objects.get().state == WebhookEvent.State.IGNORED


def test_an_unknown_event_type_is_ignored_not_refused(client, connection, trusted_signer) -> None:
    body = body_for(connection, eventType="spaceship.launched")

    response = deliver(client, connection, body, trusted_signer.sign(body))

    assert response.status_code == 200
    assert WebhookEvent.objects.get().state == WebhookEvent.State.IGNORED


def test_the_probe_before_subscribing_is_answered(client, connection) -> None:
    assert client.head(f"/webhooks/lexoffice/{connection.webhook_token}/").status_code == 200


def test_a_genuine_delivery_to_an_unknown_endpoint_answers_gone(client, connection, trusted_signer) -> None:
    body = body_for(connection)

    response = client.post(
        "/webhooks/lexoffice/not-a-token/",
        data=body,
        content_type="application/json",
        HTTP_X_LXO_SIGNATURE=trusted_signer.sign(body),
    )

    assert response.status_code == 410
    assert WebhookEvent.objects.count() == 0


def test_without_a_configured_key_every_delivery_is_refused(client, connection, webhook_signer, settings) -> None:
    settings.LEXOFFICE_WEBHOOK_PUBLIC_KEYS = []
    body = body_for(connection)

    assert deliver(client, connection, body, webhook_signer.sign(body)).status_code == 401
    assert WebhookEvent.objects.count() == 0


def forgeries(body: bytes, signature: str, signer, rng: random.Random) -> list[tuple[str, bytes, str | None]]:
    """Mutated deliveries of one genuine (body, signature)."""
    cases: list[tuple[str, bytes, str | None]] = []
    for _ in range(60):
        flipped = bytearray(body)
        position = rng.randrange(len(flipped))
        flipped[position] ^= 1 << rng.randrange(8)
        cases.append(("body bit flip", bytes(flipped), signature))
        raw_signature = bytearray(base64.b64decode(signature))
        raw_signature[rng.randrange(len(raw_signature))] ^= 1 << rng.randrange(8)
        cases.append(("signature bit flip", body, base64.b64encode(bytes(raw_signature)).decode()))
    for cut in range(1, 40):
        cases.append(("truncated body", body[:-cut], signature))
        cases.append(("truncated signature", body, signature[:-cut]))
    data = json.loads(body)
    cases.append(("re-serialised with spaces", json.dumps(data).encode(), signature))
    cases.append(("re-serialised sorted", json.dumps(data, sort_keys=True, indent=1).encode(), signature))
    cases.append(("missing header", body, None))
    cases.append(("empty header", body, ""))
    cases.append(("garbage header", body, "not base64 at all!"))
    cases.append(("signature of another body", body, signer.sign(body + b" ")))
    cases.append(("oversize body", body + b" " * 20000, signature))
    return cases


def test_a_corpus_of_forged_deliveries_is_refused_without_writing(client, connection, trusted_signer) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from tests.webhooks.conftest import Signer

    rng = random.Random(4242)
    wrong_key = Signer(rsa.generate_private_key(public_exponent=65537, key_size=2048), trusted_signer.public_pem)
    cases = []
    for event_type in (
        "contact.changed",
        "voucher.changed",
        "invoice.status.changed",
        "payment.changed",
        "contact.created",
        "voucher.deleted",
        "credit-note.changed",
        "token.revoked",
    ):
        resource_id = str(uuid.UUID(int=rng.getrandbits(128)))
        body = body_for(connection, eventType=event_type, resourceId=resource_id)
        cases += forgeries(body, trusted_signer.sign(body), trusted_signer, rng)
        cases.append(("wrong key", body, wrong_key.sign(body)))
    assert len(cases) >= 1000

    statuses = [deliver(client, connection, body, signature).status_code for _reason, body, signature in cases]

    accepted = [cases[i][0] for i, status in enumerate(statuses) if status < 400]
    assert accepted == []
    assert set(statuses) <= {400, 401, 413}
    assert WebhookEvent.objects.count() == 0


def test_token_revoked_marks_the_connection_and_stops_its_work(connection, trusted_signer) -> None:
    from connections.models import Connection
    from webhooks.handlers import handle

    event = WebhookEvent.objects.create(
        connection=connection,
        organization_id=connection.organization_id,
        event_type="token.revoked",
        resource_id=str(uuid.uuid4()),
        event_date="2026-01-01T00:00:00.000+01:00",
    )

    assert handle(event) == "revoked"
    connection.refresh_from_db()
    assert connection.status == Connection.Status.REVOKED
    later = WebhookEvent.objects.create(
        connection=connection,
        organization_id=connection.organization_id,
        event_type="contact.changed",
        resource_id=str(uuid.uuid4()),
        event_date="2026-01-01T00:00:01.000+01:00",
    )
    assert handle(later) == "skipped: connection inactive"


def test_a_burst_hands_the_worker_one_drain_that_queues_every_event_in_order(
    client, connection, trusted_signer, settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from tests.conftest import require
    from webhooks import tasks

    require(bool(settings.REDIS_URL), "the drain flag lives in Redis (REDIS_URL)")
    drains, events = [], []
    monkeypatch.setattr(tasks.drain_events_task, "delay", drains.append)
    monkeypatch.setattr(tasks.process_event_task, "delay", events.append)

    def burst(count: int) -> None:
        for _ in range(count):
            body = body_for(connection, resourceId=str(uuid.uuid4()))
            with django_capture_on_commit_callbacks(execute=True):
                assert deliver(client, connection, body, trusted_signer.sign(body)).status_code == 202

    burst(3)
    assert (drains, events) == ([connection.pk], [])  # one drain for the burst, no message per event
    assert tasks.drain_events_task(connection.pk) == 3
    stored = list(WebhookEvent.objects.order_by("id").values_list("pk", flat=True))
    assert events == stored  # each pending event queued once, in the order received

    burst(2)  # after the drain dropped its flag, the next burst gets a drain of its own
    assert drains == [connection.pk, connection.pk]
