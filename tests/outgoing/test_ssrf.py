"""Endpoint URLs cannot reach internal addresses: refused at input, blocked again at send time.

The corpus is the connection base-URL corpus of tests/security/test_ssrf.py (every address form of
loopback, metadata and private ranges, user info, odd spellings, other schemes, a redirector) minus the
URLs that point at a public host, which an endpoint may. Names resolve through a patched resolver, so the
test knows what each name "is" without the network. A loopback listener must see no connection at all.
"""

import ipaddress
import socket
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from connections import crypto
from outgoing import addresses
from outgoing.delivery import drain_endpoint
from outgoing.models import Attempt, Delivery, Endpoint, Event
from outgoing.services import create_endpoint
from tests.api.conftest import token_client
from tests.security.test_ssrf import CountingListener, Redirector, corpus
from web import addresses as resolver

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"
NAMES = {
    "localhost": ["127.0.0.1", "::1"],
    "localhost.": ["127.0.0.1"],
    "ip6-localhost": ["::1"],
    "localtest.me": ["127.0.0.1"],
    "127.0.0.1.nip.io": ["127.0.0.1"],
    "spoofed.burpcollaborator.net": ["127.0.0.1"],
    "metadata.google.internal": ["169.254.169.254"],
    "api.lexware.io": [PUBLIC],
    "shop.example": [PUBLIC],
}


def fake_resolver(answers: dict[str, list[str]]):
    calls: list[str] = []

    def getaddrinfo(host: str, port: int) -> list[str]:
        calls.append(host)
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        if host not in answers:
            raise socket.gaierror("unknown name")
        return answers[host]

    getaddrinfo.calls = calls  # type: ignore[attr-defined]
    return getaddrinfo


def internal_corpus(port: int, redirect_port: int) -> list[str]:
    public = {
        "https://api.lexware.io/v1/../",
        "https://api.lexware.io/x",
        f"https://api.lexware.io?x=http://127.0.0.1:{port}",
    }
    lookalikes = {"https://api.lexware.io.evil.test", "https://api.lexware.io:8443", "http://api.lexware.io"}
    lookalikes |= {"https://api-lexware.io", "https://evil.test/api.lexware.io", "https://api.lexware.io./"}
    return [url for url in corpus(port, redirect_port) if url not in public | lookalikes]


@pytest.fixture
def listener():
    server = CountingListener()
    yield server
    server.close()


@pytest.fixture
def redirector(listener):
    import threading
    from http.server import ThreadingHTTPServer

    Redirector.target, Redirector.hits = f"http://127.0.0.1:{listener.port}/", 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def pending_delivery(endpoint: Endpoint) -> Delivery:
    event = Event.objects.create(connection=endpoint.connection, event_type="contact.changed", data={"record": {}})
    return Delivery.objects.create(event=event, endpoint=endpoint)


def stored_endpoint(connection, url: str) -> Endpoint:
    """An endpoint as if its URL had passed the input check earlier (DNS changed, settings changed)."""
    return Endpoint.objects.create(
        connection=connection, url=url, event_types=["*"], secret_encrypted=crypto.encrypt("whsec_c2VjcmV0")
    )


def test_the_corpus_is_refused_at_input_and_blocked_at_send_time(
    connection, alice, listener, redirector, monkeypatch, settings
) -> None:
    settings.LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS = []
    monkeypatch.setattr(resolver, "getaddrinfo", fake_resolver(NAMES))
    urls = internal_corpus(listener.port, redirector)
    assert len(urls) >= 55
    api = token_client(alice)
    page = token_client(alice)
    page.force_login(alice)

    for url in urls:
        answer = api.post(
            "/api/v1/webhook-endpoints/",
            {"connection": connection.pk, "url": url, "eventTypes": ["*"]},
            format="json",
        )
        assert answer.status_code == 400, (url, answer.content)
        assert "url" in answer.json()["fieldErrors"], url
        form = page.post("/outgoing-webhooks/", {"connection": connection.pk, "url": url, "event_types": ["*"]})
        assert form.status_code == 400, (url, form.status_code)
    assert Endpoint.objects.count() == 0

    for url in urls:
        endpoint = stored_endpoint(connection, url)
        delivery = pending_delivery(endpoint)
        assert drain_endpoint(endpoint.pk) == 0, url
        delivery.refresh_from_db()
        assert delivery.state == Delivery.State.PENDING and delivery.attempts == 1, url
        assert Attempt.objects.get(delivery=delivery).status is None, url

    assert listener.accepted == 0
    assert Redirector.hits == 0


def test_a_name_that_turns_private_between_check_and_send_is_blocked(connection, alice, listener, monkeypatch) -> None:
    answers = {"rebind.example": [PUBLIC]}
    monkeypatch.setattr(resolver, "getaddrinfo", fake_resolver(answers))
    endpoint = create_endpoint(
        connection=connection, user=alice, url=f"http://rebind.example:{listener.port}/hooks", event_types=["*"]
    ).endpoint

    answers["rebind.example"] = ["127.0.0.1"]
    delivery = pending_delivery(endpoint)
    drain_endpoint(endpoint.pk)

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING
    assert delivery.last_error == gettext("The URL points to a private, loopback or otherwise internal address.")
    assert listener.accepted == 0


def test_one_private_answer_among_public_ones_is_enough_to_block(connection, listener, monkeypatch) -> None:
    monkeypatch.setattr(resolver, "getaddrinfo", fake_resolver({"mixed.example": [PUBLIC, "10.0.0.7"]}))
    with pytest.raises(addresses.AddressRefused):
        addresses.checked_url(f"http://mixed.example:{listener.port}/")
    endpoint = stored_endpoint(connection, f"http://mixed.example:{listener.port}/")
    pending_delivery(endpoint)
    drain_endpoint(endpoint.pk)
    assert listener.accepted == 0


def test_the_delivery_connects_to_the_address_it_checked(endpoint, receiver, monkeypatch) -> None:
    """The name exists only in the patched resolver: had the HTTP client resolved it again itself, the
    delivery could not have arrived."""
    monkeypatch.setattr(resolver, "getaddrinfo", fake_resolver({"pinned.invalid": ["127.0.0.1"]}))
    Endpoint.objects.filter(pk=endpoint.pk).update(url=f"http://pinned.invalid:{receiver.port}/hooks/lexhub")
    pending_delivery(endpoint)

    assert drain_endpoint(endpoint.pk) == 1
    assert len(receiver.payloads("contact.changed")) == 1


def test_redirects_are_not_followed(connection, listener, redirector, settings, monkeypatch) -> None:
    settings.LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    endpoint = stored_endpoint(connection, f"http://127.0.0.1:{redirector}/hooks")
    delivery = pending_delivery(endpoint)
    monkeypatch.setattr(Redirector, "do_POST", Redirector.do_GET, raising=False)
    drain_endpoint(endpoint.pk)

    delivery.refresh_from_db()
    assert delivery.last_status == 302 and delivery.state == Delivery.State.PENDING
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=1)
    assert listener.accepted == 0
