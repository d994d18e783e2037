"""Password reset: offered only with outgoing mail configured; its form throttled per client address;
EMAIL_URL parsed into Django's EMAIL_* settings."""

import re
import time
from email.header import decode_header, make_header

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from harness.smtp import MailServer
from lexhub.env import email_settings

pytestmark = pytest.mark.django_db
BASE = "https://lexhub.example.com"
RESET_PATHS = [
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/accounts/reset/MQ/set-password/",
    "/accounts/reset/done/",
]


@pytest.fixture
def without_mail(settings) -> None:
    settings.EMAIL_HOST = ""


@pytest.fixture
def with_mail(settings) -> None:
    settings.EMAIL_HOST = "smtp.example.org"  # pytest-django's locmem backend keeps the mail in mail.outbox
    settings.PUBLIC_BASE_URL = "https://lexhub.example.com"


def test_without_mail_reset_is_not_offered(without_mail, client: Client) -> None:
    login = client.get("/accounts/login/")
    assert login.status_code == 200
    assert "/accounts/password_reset/" not in login.content.decode()
    for path in RESET_PATHS:
        assert client.get(path).status_code == 404, path
    assert client.post("/accounts/password_reset/", {"email": "alice@example.org"}).status_code == 404


def test_with_mail_the_login_page_links_to_reset(with_mail, client: Client) -> None:
    assert 'href="/accounts/password_reset/"' in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/password_reset/").status_code == 200
    assert client.get("/accounts/password_reset/done/").status_code == 200


@pytest.fixture
def mail_server(monkeypatch, settings):
    """A mail server on loopback that the worker (started after this, reading its environment) sends to."""
    server = MailServer().start()
    for name, value in {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(server.port), "PUBLIC_BASE_URL": BASE}.items():
        monkeypatch.setenv(name, value)
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.PUBLIC_BASE_URL = "127.0.0.1", server.port, BASE
    yield server
    server.stop()


@pytest.fixture
def mailing_worker(mail_server, celery_worker) -> MailServer:
    return mail_server


def mails_to(server: MailServer, count: int, timeout: float = 20) -> list:
    """The first `count` messages the server accepted, once it has them."""
    deadline = time.monotonic() + timeout
    while len(server.messages) < count:
        assert time.monotonic() < deadline, f"{len(server.messages)} of {count} mails arrived"
        time.sleep(0.05)
    return server.messages[:count]


def text_of(message) -> str:
    return message.get_payload(decode=True).decode()


def test_a_reset_from_request_to_new_password(mailing_worker, settings, alice) -> None:
    settings.ALLOWED_HOSTS = ["*"]  # a deployment that accepts any Host header still mails its own address
    client = Client()
    sent = client.post("/accounts/password_reset/", {"email": "alice@example.org"}, HTTP_HOST="evil.example")
    assert sent.status_code == 302 and sent["Location"] == "/accounts/password_reset/done/"

    (message,) = mails_to(mailing_worker, 1)  # sent by the worker, which made the link itself
    body = text_of(message)
    assert message["To"] == "alice@example.org"
    assert (
        str(make_header(decode_header(message["Subject"]))) == "Lexhub-Passwort zurücksetzen"
    )  # the request's language
    # The link comes from PUBLIC_BASE_URL, never from a Host header someone sent.
    link = re.search(r"https://lexhub\.example\.com(/accounts/reset/\S+/)", body)
    assert link and "evil.example" not in body, body
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "a-fresh-passphrase-42", "new_password2": "a-fresh-passphrase-42"}
    )
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a-fresh-passphrase-42")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(mailing_worker, alice) -> None:
    client = Client()
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    known = client.post("/accounts/password_reset/", {"email": "alice@example.org"})

    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == "/accounts/password_reset/done/"
    # One worker takes the queue in order: a mail for the unknown address would have arrived first.
    assert [m["To"] for m in mails_to(mailing_worker, 1)] == ["alice@example.org"]


def test_the_reset_form_is_throttled_per_address(mailing_worker, settings, alice, bob) -> None:
    settings.LEXHUB_PASSWORD_RESET_RATE = (5, 3600)
    client = Client()
    statuses = [
        client.post("/accounts/password_reset/", {"email": "alice@example.org"}, REMOTE_ADDR="203.0.113.9").status_code
        for _ in range(7)
    ]

    assert statuses == [302] * 5 + [429] * 2
    refused = client.post("/accounts/password_reset/", {"email": "alice@example.org"}, REMOTE_ADDR="203.0.113.9")
    assert "Zu viele Anfragen zum Zurücksetzen des Passworts" in refused.content.decode()  # German, the default
    assert refused["Retry-After"] == "3600"
    # Another address has its own budget.
    assert (
        Client().post("/accounts/password_reset/", {"email": "bob@example.org"}, REMOTE_ADDR="198.51.100.7").status_code
        == 302
    )
    # In order: the five accepted requests' mails, then Bob's; the refused ones queued nothing before it.
    recipients = [m["To"] for m in mails_to(mailing_worker, 6)]
    assert recipients == ["alice@example.org"] * 5 + ["bob@example.org"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://user%40example.org:p%3Ass@mail.example.org:587?tls=true",
            {
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 587,
                "EMAIL_HOST_USER": "user@example.org",
                "EMAIL_HOST_PASSWORD": "p:ss",
                "EMAIL_USE_TLS": True,
                "EMAIL_USE_SSL": False,
            },
        ),
        (
            "smtp://mail.example.org",
            {
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 25,
                "EMAIL_HOST_USER": "",
                "EMAIL_HOST_PASSWORD": "",
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": False,
            },
        ),
        (
            "submission://u:p@mail.example.org",
            {
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 587,
                "EMAIL_HOST_USER": "u",
                "EMAIL_HOST_PASSWORD": "p",
                "EMAIL_USE_TLS": True,
                "EMAIL_USE_SSL": False,
            },
        ),
        (
            "smtps://u:p@mail.example.org",
            {
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 465,
                "EMAIL_HOST_USER": "u",
                "EMAIL_HOST_PASSWORD": "p",
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": True,
            },
        ),
    ],
)
def test_email_url_is_parsed(url: str, expected: dict) -> None:
    assert email_settings(url) == expected


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "smtp://h:notaport", "smtps://h?tls=true"])
def test_a_bad_email_url_stops_start_up_without_echoing_it(url: str) -> None:
    with pytest.raises(ImproperlyConfigured) as raised:
        email_settings(url.replace("//", "//user:secret-pw@", 1) if "@" not in url else url)
    assert "secret-pw" not in str(raised.value)
