import logging

import pytest
from django.core.management import call_command

from connections import crypto
from connections.models import Connection
from connections.services import ConnectionRejected, create_connection, reverify_connection

pytestmark = pytest.mark.django_db


def test_a_verified_key_is_stored_encrypted(alice, sandbox, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        connection = create_connection(name="Books", api_key=sandbox.api_key, owner=alice, base_url=sandbox.base_url)

    stored = Connection.objects.get(pk=connection.pk)
    assert str(stored.organization_id) == sandbox.organization_id
    assert stored.company_name
    assert sandbox.api_key not in stored.api_key_encrypted
    assert stored.api_key == sandbox.api_key
    assert sandbox.api_key not in repr(stored)
    assert sandbox.api_key not in str(stored)
    assert stored.key_expires_on is not None


def test_a_wrong_key_is_refused_and_nothing_is_saved(alice, sandbox) -> None:
    with pytest.raises(ConnectionRejected, match="did not accept"):
        create_connection(name="Books", api_key="not-a-key", owner=alice, base_url=sandbox.base_url)

    assert Connection.objects.count() == 0


@pytest.mark.parametrize(
    ("api_key", "message"),
    [
        ("schlüssel-ä", "This is not a Lexoffice API key"),
        ("two words", "This is not a Lexoffice API key"),
        ("tab\there", "This is not a Lexoffice API key"),
        ("emoji-\U0001f511", "This is not a Lexoffice API key"),
        ("nul\x00", "Null characters are not allowed"),
    ],
)
def test_a_key_that_cannot_travel_in_a_header_is_refused_in_the_form(
    alice, sandbox, alice_client, api_key: str, message: str
) -> None:
    page = alice_client.post("/connections/new/", {"name": "Books", "api_key": api_key, "base_url": sandbox.base_url})

    assert page.status_code == 400
    assert message in page.content.decode()
    assert Connection.objects.count() == 0
    assert sandbox.counters()["requests"] == 0  # refused before anything was sent


@pytest.mark.parametrize(("key_status", "message"), [("no_plan", "plan"), ("forbidden", "plan")])
def test_a_key_without_api_access_is_refused(alice, sandbox, key_status: str, message: str) -> None:
    sandbox.configure(keyStatus=key_status)

    with pytest.raises(ConnectionRejected, match=message):
        create_connection(name="Books", api_key=sandbox.api_key, owner=alice, base_url=sandbox.base_url)

    assert Connection.objects.count() == 0


def test_an_unreachable_host_is_refused_clearly(alice, settings) -> None:
    settings.LEXOFFICE_API_BASE_URLS = ["http://127.0.0.1:9"]
    with pytest.raises(ConnectionRejected, match="could not be reached"):
        create_connection(name="Books", api_key="whatever", owner=alice, base_url="http://127.0.0.1:9")


def test_reverify_marks_a_revoked_key_invalid(connection, sandbox) -> None:
    sandbox.configure(keyStatus="revoked")

    with pytest.raises(ConnectionRejected):
        reverify_connection(connection=connection)

    connection.refresh_from_db()
    assert connection.status == Connection.Status.INVALID_KEY


def test_the_connect_command_never_prints_the_key(alice, sandbox, capsys, caplog) -> None:
    caplog.set_level(logging.DEBUG)

    call_command(
        "connect", "--name", "Cli", "--api-key", sandbox.api_key, "--base-url", sandbox.base_url, "--owner", "alice"
    )

    out = capsys.readouterr()
    assert "Connected" in out.out
    assert sandbox.api_key not in out.out + out.err + caplog.text


def test_reencrypt_rotates_to_the_newest_key(connection, settings) -> None:
    from cryptography.fernet import Fernet

    old_token = connection.api_key_encrypted
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]

    call_command("reencrypt_keys")

    connection.refresh_from_db()
    assert connection.api_key_encrypted != old_token
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # only the new key now
    assert crypto.decrypt(connection.api_key_encrypted) == connection.api_key


def test_connections_are_visible_only_to_owner_and_members(connection, alice, bob) -> None:
    assert list(Connection.objects.visible_to(alice)) == [connection]
    assert list(Connection.objects.visible_to(bob)) == []
    connection.members.add(bob)
    assert list(Connection.objects.visible_to(bob)) == [connection]
