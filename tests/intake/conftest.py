"""A private Dovecot per test and a mailbox of alice's sandbox connection pointing at it."""

from pathlib import Path

import pytest

from harness.dovecot import PrivateDovecot
from tests.conftest import require
from tests.security.test_ssrf import listener  # noqa: F401  (a loopback port that counts the connections made)

USER, PASSWORD = "belege", "mail-password-1"


@pytest.fixture(autouse=True)
def mail_servers_on_loopback(settings, monkeypatch) -> None:
    """The tests' Dovecot listens on loopback, where a deployment's mailboxes may not connect by default."""
    settings.LEXHUB_INTAKE_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    monkeypatch.setenv("LEXHUB_INTAKE_ALLOWED_NETWORKS", "127.0.0.0/8")  # for the workers a test starts


@pytest.fixture
def dovecot():
    require(Path("/usr/sbin/dovecot").exists(), "dovecot is not installed (apt-get install dovecot-imapd)")
    server = PrivateDovecot()
    try:
        server.add_user(USER, PASSWORD)
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def intake_connection(alice, sandbox_empty, django_capture_on_commit_callbacks):
    from connections.services import create_connection

    with django_capture_on_commit_callbacks(execute=False):
        return create_connection(
            name="Belege", api_key=sandbox_empty.api_key, owner=alice, base_url=sandbox_empty.base_url, rate_limit=1000
        )


@pytest.fixture
def mailbox(intake_connection, dovecot):
    from intake.models import Mailbox

    row = Mailbox(
        connection=intake_connection,
        host="127.0.0.1",
        port=dovecot.port,
        security=Mailbox.Security.NONE,
        username=USER,
    )
    row.set_password(PASSWORD)
    row.save()
    return row


@pytest.fixture
def intake_root(tmp_path, settings):
    root = tmp_path / "intake-root"
    root.mkdir()
    settings.LEXHUB_INTAKE_ROOT = root
    settings.LEXHUB_INTAKE_STABLE_SECONDS = 0
    return root


@pytest.fixture
def watched(intake_connection, intake_root):
    from intake.models import WatchedFolder

    (intake_root / "scanner").mkdir()
    return WatchedFolder.objects.create(connection=intake_connection, path="scanner")
