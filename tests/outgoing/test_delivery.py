"""Changes become signed deliveries: rendered as the REST API renders the record, verified by the
receiver with the standardwebhooks library, retried with back-off, logged, replayable."""

import pytest

from contacts.models import Contact
from contacts.sync import push_contact
from outgoing.delivery import drain_endpoint
from outgoing.models import Attempt, Delivery, Event
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
