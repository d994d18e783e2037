"""A mailbox reaches only public mail servers (and networks the deployment allows), whatever its owner types:
refused with a message when saved through the page or the API, refused again at every connection, and the
connection goes to the address checked. The listener must see no connection at all."""

import pytest

from intake.hosts import INTERNAL
from intake.imap import check, poll_mailbox
from intake.models import DoorState, Mailbox
from tests.intake.conftest import PASSWORD, USER
from tests.intake.test_pages import mailbox_form
from tests.security.test_ssrf import CountingListener
from web import addresses

pytestmark = pytest.mark.django_db


@pytest.fixture
def listener():
    counting = CountingListener()
    yield counting
    counting.close()


@pytest.fixture
def no_private_networks(settings) -> None:
    settings.LEXHUB_INTAKE_ALLOWED_NETWORKS = []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "::ffff:127.0.0.1"])
def test_a_mail_server_on_an_internal_address_is_refused_by_the_page_and_the_api(
    alice_client, intake_connection, listener, no_private_networks, host
) -> None:
    page = alice_client.post(
        f"/intake/{intake_connection.pk}/mailbox/", mailbox_form(host=host, port=str(listener.port))
    )
    body = {**mailbox_form(host=host), "connection": intake_connection.pk, "enabled": True, "port": listener.port}
    api = alice_client.post("/api/v1/intake/mailboxes/", body, content_type="application/json")

    assert page.status_code == 400
    assert "otherwise internal address" in page.content.decode()
    assert api.status_code == 400
    assert "otherwise internal address" in api.json()["fieldErrors"]["host"][0]
    assert not Mailbox.objects.exists()
    assert listener.accepted == 0


@pytest.mark.parametrize(("host", "says"), [("127.1", "name or IP address"), ("mail.invalid", "cannot be resolved")])
def test_a_malformed_or_unknown_server_name_is_refused_with_its_reason(
    alice_client, intake_connection, no_private_networks, host, says
) -> None:
    page = alice_client.post(f"/intake/{intake_connection.pk}/mailbox/", mailbox_form(host=host))
    assert page.status_code == 400
    assert says in page.content.decode()


def test_a_saved_mailbox_now_on_an_internal_address_is_not_connected_when_polled(
    intake_connection, listener, no_private_networks
) -> None:
    mailbox = Mailbox(connection=intake_connection, host="127.0.0.1", port=listener.port, username=USER)
    mailbox.security = Mailbox.Security.NONE
    mailbox.set_password(PASSWORD)
    mailbox.save()  # saved when the deployment allowed loopback, say

    poll_mailbox(mailbox_id=mailbox.pk)

    mailbox.refresh_from_db()
    assert (mailbox.state, mailbox.state_detail) == (DoorState.ERROR, INTERNAL)
    assert listener.accepted == 0


def test_the_connection_goes_to_the_address_checked_not_to_a_second_lookup(mailbox, monkeypatch) -> None:
    """`.invalid` never resolves: only the checked answer of the patched resolver can reach the server."""
    monkeypatch.setattr(addresses, "getaddrinfo", lambda host, port: ["127.0.0.1"] if host == "mail.invalid" else [])
    Mailbox.objects.filter(pk=mailbox.pk).update(host="mail.invalid")
    mailbox.refresh_from_db()

    check(mailbox)  # logs in and opens the folder, or raises
