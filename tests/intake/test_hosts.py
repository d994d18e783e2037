"""A mailbox reaches only public mail servers (and networks the deployment allows), whatever its owner types:
refused with a message when saved through the page or the API, refused again at every connection, and the
connection goes to the address checked. The listener must see no connection at all."""

import pytest

from intake.hosts import INTERNAL
from intake.imap import check, poll_mailbox
from intake.models import DoorState, Mailbox
from tests.intake.conftest import PASSWORD, USER
from tests.intake.test_pages import mailbox_form
from web import addresses

pytestmark = pytest.mark.django_db


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


def _certificate_for(name: str, directory) -> tuple[str, str]:
    """A self-signed certificate for `name` and its key, as PEM files."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "server.pem", directory / "server.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


def _imap_over_tls(cert: str, key: str):
    """A loopback server that greets over TLS and answers CAPABILITY, as an IMAP server does first; a thread
    serves one client at a time until the socket is closed."""
    import socket
    import ssl
    import threading

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                raw, _ = server.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(raw, server_side=True) as conn:
                    conn.sendall(b"* OK IMAP4rev1 ready\r\n")
                    tag = conn.recv(1024).split(b" ", 1)[0]
                    conn.sendall(b"* CAPABILITY IMAP4rev1\r\n" + tag + b" OK done\r\n")
                    conn.recv(1024)
            except (OSError, ssl.SSLError):
                continue

    threading.Thread(target=serve, daemon=True).start()
    return server


def test_over_tls_the_certificate_is_checked_against_the_name_while_the_address_is_the_one_checked(tmp_path) -> None:
    import ssl

    from intake.imap import PinnedIMAP4SSL

    cert, key = _certificate_for("mail.lexhub.test", tmp_path)
    server = _imap_over_tls(cert, key)
    port = server.getsockname()[1]
    try:
        trusting = ssl.create_default_context(cafile=cert)
        client = PinnedIMAP4SSL("127.0.0.1", "mail.lexhub.test", port, trusting)
        assert client.sock.getpeername()[0] == "127.0.0.1" and client.host == "mail.lexhub.test"
        assert "IMAP4REV1" in client.capabilities
        client.shutdown()
        with pytest.raises(ssl.SSLCertVerificationError):  # another name: the certificate does not match
            PinnedIMAP4SSL("127.0.0.1", "other.lexhub.test", port, trusting)
    finally:
        server.close()
