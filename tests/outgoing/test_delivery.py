"""Changes become signed deliveries: rendered as the REST API renders the record, verified by the
receiver with the standardwebhooks library, retried with back-off, logged, replayable."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from connections.mirror import mark_deleted
from connections.models import SyncRun
from connections.sync import finish
from contacts.models import Contact
from contacts.sync import push_contact
from outgoing.delivery import drain_endpoint, sweep_deliveries
from outgoing.models import Attempt, Delivery, Endpoint, Event
from outgoing.services import replay_delivery, replay_since, rotate_secret
from tests.outgoing.conftest import dumped
from tests.payloads import NEW_COMPANY

pytestmark = pytest.mark.django_db


def test_a_write_is_delivered_signed_with_the_record_as_the_api_renders_it(
    endpoint, receiver, alice, django_capture_on_commit_callbacks
) -> None:
    from tests.api.conftest import token_client

    with django_capture_on_commit_callbacks(execute=False):
        contact = push_contact(connection=endpoint.connection, data=NEW_COMPANY, user=alice)
    assert drain_endpoint(endpoint.pk) == 1

    [payload] = receiver.payloads("contact.created")
    api = token_client(alice).get(f"/api/v1/contacts/{contact.pk}/").json()
    assert payload["data"]["record"] == dumped(api)
    assert payload["data"]["connection"] == endpoint.connection_id
    assert payload["data"]["sequence"] == Event.objects.get().pk
    assert Delivery.objects.get().state == Delivery.State.DELIVERED
    assert Attempt.objects.get().status == 204
    assert Contact.objects.get(pk=contact.pk).raw["company"]["name"] == "Nordlicht Werkstatt GmbH"


def test_nothing_is_stored_for_a_connection_nobody_listens_to(connection, alice) -> None:
    push_contact(connection=connection, data=NEW_COMPANY, user=alice)
    assert not Event.objects.exists()


def test_an_endpoint_gets_only_the_types_it_asked_for(endpoint, receiver, alice) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(event_types=["voucher.*", "sync.failed"])
    push_contact(connection=endpoint.connection, data=NEW_COMPANY, user=alice)
    assert not Event.objects.exists()


def test_a_deleted_record_carries_its_id_and_a_later_sequence(endpoint, receiver, alice) -> None:
    contact = push_contact(connection=endpoint.connection, data=NEW_COMPANY, user=alice)
    mark_deleted(model=Contact, connection=endpoint.connection, lexoffice_ids=[contact.lexoffice_id])
    drain_endpoint(endpoint.pk)

    created, deleted = receiver.payloads()
    assert (created["type"], deleted["type"]) == ("contact.created", "contact.deleted")
    assert deleted["data"]["lexofficeId"] == str(contact.lexoffice_id) and deleted["data"]["deleted"] is True
    assert deleted["data"]["sequence"] > created["data"]["sequence"]


def test_failures_back_off_exponentially_and_are_logged(endpoint, receiver, alice, settings) -> None:
    settings.LEXHUB_OUTGOING_WEBHOOKS_RETRY_BASE_SECONDS = 5
    settings.LEXHUB_OUTGOING_WEBHOOKS_RETRY_CAP_SECONDS = 60
    push_contact(connection=endpoint.connection, data=NEW_COMPANY, user=alice)
    receiver.failing = True
    delivery = Delivery.objects.get()
    waits = []
    for _ in range(5):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        drain_endpoint(endpoint.pk)
        delivery.refresh_from_db()
        waits.append(round((delivery.next_attempt_at - before).total_seconds()))

    assert waits == [5, 10, 20, 40, 60]
    assert delivery.attempts == 5 and delivery.last_status == 500 and delivery.state == Delivery.State.PENDING
    assert list(Attempt.objects.values_list("status", flat=True)) == [500] * 5


def test_a_delivery_older_than_the_retry_window_fails_and_a_failing_endpoint_is_disabled(
    endpoint, receiver, alice, settings
) -> None:
    push_contact(connection=endpoint.connection, data=NEW_COMPANY, user=alice)
    receiver.failing = True
    long_ago = timezone.now() - timedelta(days=4)
    Delivery.objects.update(created_at=long_ago)
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=long_ago)
    drain_endpoint(endpoint.pk)

    assert Delivery.objects.get().state == Delivery.State.FAILED
    endpoint.refresh_from_db()
    reason = gettext("Disabled automatically: deliveries failed since %(since)s.").split("%(since)s")[0]
    assert not endpoint.enabled and endpoint.disabled_reason.startswith(reason)  # in the deployment's language


def test_replay_sends_the_same_webhook_id_again(endpoint, receiver, alice) -> None:
    push_contact(connection=endpoint.connection, data=NEW_COMPANY, user=alice)
    drain_endpoint(endpoint.pk)
    delivery = Delivery.objects.get()

    replay_delivery(delivery=delivery)
    drain_endpoint(endpoint.pk)
    assert receiver.duplicates == 1 and len(receiver.processed) == 1

    assert replay_since(endpoint=endpoint, since=timezone.now() - timedelta(minutes=1)) == 1
    drain_endpoint(endpoint.pk)
    assert receiver.duplicates == 2 and Attempt.objects.count() == 3


def test_during_a_rotation_both_secrets_verify(endpoint, receiver, alice) -> None:
    old_secret = receiver.secret
    new_secret = rotate_secret(endpoint=endpoint).secret
    assert new_secret != old_secret and new_secret.startswith("whsec_")
    push_contact(connection=endpoint.connection, data=NEW_COMPANY, user=alice)
    receiver.secret = old_secret  # a receiver that has not switched yet
    drain_endpoint(endpoint.pk)
    Delivery.objects.update(state=Delivery.State.PENDING)
    receiver.secret = new_secret  # and one that has
    drain_endpoint(endpoint.pk)

    assert receiver.forged == 0 and receiver.requests == 2
    Endpoint.objects.filter(pk=endpoint.pk).update(previous_secret_expires_at=timezone.now())
    Delivery.objects.update(state=Delivery.State.PENDING)
    receiver.secret = old_secret  # after the overlap the old secret no longer signs
    drain_endpoint(endpoint.pk)
    assert receiver.forged == 1


def test_a_failed_sync_is_announced(endpoint, receiver) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(event_types=["sync.*"])
    run = SyncRun.objects.create(connection=endpoint.connection, kind=SyncRun.Kind.FULL)
    finish(run, state=SyncRun.State.FAILED, error="Lexoffice no longer accepts the key")
    drain_endpoint(endpoint.pk)

    [payload] = receiver.payloads("sync.failed")
    assert payload["data"]["syncRun"] == run.pk and payload["data"]["error"] == "Lexoffice no longer accepts the key"


def test_a_record_that_cannot_be_rendered_is_announced_without_failing_the_write(
    endpoint, receiver, alice, monkeypatch
) -> None:
    def broken(row: object) -> dict:
        raise ValueError("rendering bug")

    monkeypatch.setattr("outgoing.events.render", broken)
    contact = push_contact(connection=endpoint.connection, data=NEW_COMPANY, user=alice)
    drain_endpoint(endpoint.pk)

    [payload] = receiver.payloads("contact.created")
    assert payload["data"]["record"] is None and payload["data"]["lexofficeId"] == str(contact.lexoffice_id)


def test_a_receipt_upload_is_announced_and_its_voucher_delivered_with_the_record(
    endpoint, receiver, alice, settings, tmp_path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.writes import files
    from vouchers.models import Upload
    from vouchers.receipts.sync import upload_receipt

    settings.MEDIA_ROOT = tmp_path / "media"
    Endpoint.objects.filter(pk=endpoint.pk).update(event_types=["receipt.*", "voucher.*"])
    upload = upload_receipt(
        connection=endpoint.connection, upload=SimpleUploadedFile("Tankbeleg.pdf", files.pdf("Tank")), user=alice
    )
    drain_endpoint(endpoint.pk)

    [uploaded] = receiver.payloads("receipt.uploaded")
    assert uploaded["data"]["upload"] == upload.pk and uploaded["data"]["filename"] == "Tankbeleg.pdf"
    upload.refresh_from_db()
    assert upload.state == Upload.State.LINKED  # the sandbox makes the voucher at once
    [completed] = receiver.payloads("receipt.completed")
    voucher = completed["data"]["record"]
    assert completed["data"]["voucher"] == upload.voucher_id == voucher["id"]
    assert voucher["lexofficeId"] == completed["data"]["voucherLexofficeId"]
    assert [file["lexofficeId"] for file in voucher["files"]] == [uploaded["data"]["fileLexofficeId"]]
    assert receiver.payloads("voucher.created")[-1]["data"]["lexofficeId"] == voucher["lexofficeId"]


def test_one_worker_drains_an_endpoint_at_a_time_and_the_sweep_finds_what_was_left(
    endpoint, receiver, alice, monkeypatch
) -> None:
    push_contact(connection=endpoint.connection, data=NEW_COMPANY, user=alice)
    Endpoint.objects.filter(pk=endpoint.pk).update(locked_until=timezone.now() + timedelta(seconds=30))
    assert drain_endpoint(endpoint.pk) == 0 and receiver.requests == 0  # another worker holds it

    scheduled: list[int] = []
    monkeypatch.setattr(
        "outgoing.delivery.schedule_drain", lambda endpoint_id, countdown=0.0: scheduled.append(endpoint_id)
    )
    assert sweep_deliveries() == 0  # held: left alone
    Endpoint.objects.filter(pk=endpoint.pk).update(locked_until=timezone.now() - timedelta(seconds=1))  # it died
    assert sweep_deliveries() == 1 and scheduled == [endpoint.pk]
    assert drain_endpoint(endpoint.pk) == 1
