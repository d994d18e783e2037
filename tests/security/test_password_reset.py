"""Password reset: offered only with outgoing mail configured; its form throttled per client address;
EMAIL_URL parsed into Django's EMAIL_* settings."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from lexhub.env import email_settings

pytestmark = pytest.mark.django_db
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


def test_a_reset_from_request_to_new_password(with_mail, settings, alice) -> None:
    settings.ALLOWED_HOSTS = ["*"]  # a deployment that accepts any Host header still mails its own address
    client = Client()
    sent = client.post("/accounts/password_reset/", {"email": "alice@example.org"}, HTTP_HOST="evil.example")
    assert sent.status_code == 302 and sent["Location"] == "/accounts/password_reset/done/"

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
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


def test_an_unknown_address_gets_the_same_answer_and_no_mail(with_mail, alice, client: Client) -> None:
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_the_reset_form_is_throttled_per_address(with_mail, settings, alice) -> None:
    settings.LEXHUB_PASSWORD_RESET_RATE = (5, 3600)
    client = Client()
    statuses = [
        client.post("/accounts/password_reset/", {"email": "alice@example.org"}, REMOTE_ADDR="203.0.113.9").status_code
        for _ in range(7)
    ]

    assert statuses == [302] * 5 + [429] * 2
    assert len(mail.outbox) == 5
    refused = client.post("/accounts/password_reset/", {"email": "alice@example.org"}, REMOTE_ADDR="203.0.113.9")
    assert "Zu viele Anfragen zum Zurücksetzen des Passworts" in refused.content.decode()  # German, the default
    assert refused["Retry-After"] == "3600"
    # Another address has its own budget.
    assert (
        Client()
        .post("/accounts/password_reset/", {"email": "alice@example.org"}, REMOTE_ADDR="198.51.100.7")
        .status_code
        == 302
    )


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
