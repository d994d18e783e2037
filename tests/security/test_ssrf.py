"""A connection can reach only the deployment's Lexoffice addresses, whatever a user types.

Every base URL in the corpus points (directly, by another spelling, through user info, a fragment,
a redirect or a name) at a listener this test runs on loopback. Each is refused with 400 through the
REST API and the form, and by `manage.py connect`; the listener must see no connection at all.
"""

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError

from connections.models import Connection
from lexoffice.hosts import BaseUrlNotAllowed, checked_base_url, normalize_base_url
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


class CountingListener:
    """Accepts TCP connections on a free loopback port and counts them (nothing is answered)."""

    def __init__(self, family: int = socket.AF_INET, host: str = "127.0.0.1") -> None:
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.bind((host, 0))
        self.socket.listen(64)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                peer, _ = self.socket.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            peer.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.socket.close()


class Redirector(BaseHTTPRequestHandler):
    target = ""
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(302)
        self.send_header("Location", self.target)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[CountingListener]:
    server = CountingListener()
    yield server
    server.close()


@pytest.fixture
def redirector(listener) -> Iterator[int]:
    Redirector.target, Redirector.hits = f"http://127.0.0.1:{listener.port}/v1/profile", 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def corpus(port: int, redirect_port: int) -> list[str]:
    p = port
    loopback = [
        f"http://127.0.0.1:{p}",
        f"https://127.0.0.1:{p}",
        f"http://127.1:{p}",
        f"http://127.0.1:{p}",
        f"http://0x7f000001:{p}",
        f"http://0x7f.0.0.1:{p}",
        f"http://2130706433:{p}",
        f"http://0177.0.0.1:{p}",
        f"http://017700000001:{p}",
        f"http://[::1]:{p}",
        f"http://[::ffff:127.0.0.1]:{p}",
        f"http://[0:0:0:0:0:ffff:7f00:1]:{p}",
        f"http://[::ffff:7f00:1]:{p}",
        f"http://0.0.0.0:{p}",
        f"http://0:{p}",
        f"http://127.0.0.2:{p}",
        f"http://localhost:{p}",
        f"http://LOCALHOST:{p}",
        f"http://localhost.:{p}",
        f"http://ip6-localhost:{p}",
        f"http://localtest.me:{p}",
        f"http://127.0.0.1.nip.io:{p}",
        f"http://spoofed.burpcollaborator.net:{p}",
    ]
    internal = [
        "http://169.254.169.254",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]",
        "http://metadata.google.internal",
        "http://100.100.100.200",
        "http://10.0.0.1",
        "http://192.168.0.1",
        "http://172.16.0.1",
        "http://[fe80::1]",
        "http://[fc00::1]",
    ]
    user_info = [
        f"http://user:pass@127.0.0.1:{p}",
        f"https://api.lexware.io@127.0.0.1:{p}",
        f"http://127.0.0.1:{p}@api.lexware.io",
        f"https://api.lexware.io:443@127.0.0.1:{p}",
        f"https://api.lexware.io\\@127.0.0.1:{p}",
    ]
    shapes = [
        f"http://127.0.0.1:{p}/internal/secret#",
        f"https://api.lexware.io#@127.0.0.1:{p}",
        f"https://api.lexware.io?x=http://127.0.0.1:{p}",
        f"http://127.0.0.1:{p}?",
        f"http://127.0.0.1:{p}/v1#",
        f"http://127.0.0.1:{p}/_sandbox/deliveries#",
        "https://api.lexware.io/v1/../",
        "https://api.lexware.io/x",
        f"http://127.0.0.1%3A{p}",
        f"http://%31%32%37.0.0.1:{p}",
        f"https://api.lexware.io%2F@127.0.0.1:{p}",
        f"http://127.0.0.1:{p}%23",
        f"http://127.0.0.1:{p}/%2e%2e/",
    ]
    schemes = [
        f"ftp://127.0.0.1:{p}",
        "file:///etc/passwd",
        f"gopher://127.0.0.1:{p}/",
        "javascript:alert(1)",
        f"//127.0.0.1:{p}",
        f"127.0.0.1:{p}",
        f"dict://127.0.0.1:{p}",
        f"http:127.0.0.1:{p}",
        f"http:/127.0.0.1:{p}",
        f"ws://127.0.0.1:{p}",
    ]
    spelling = [
        f" http://127.0.0.1:{p}",
        f"http://127.0.0.1:{p}\n",
        f"http://127.0.0.1:{p}\r\nX-Evil: 1",
        f"http://127.0.0.1\t:{p}",
        f"http://127.0.0.1:{p + 65536}",
        f"http://127.0.0.1:0{p}",
    ]
    lookalikes = [
        "https://api.lexware.io.evil.test",
        "https://api.lexware.io:8443",
        "http://api.lexware.io",
        "https://api-lexware.io",
        "https://evil.test/api.lexware.io",
        "https://api.lexware.io./",
    ]
    redirecting = [f"http://127.0.0.1:{redirect_port}"]
    return loopback + internal + user_info + shapes + schemes + spelling + lookalikes + redirecting


def test_the_corpus_is_refused_everywhere_and_nothing_connects(alice, listener, redirector, settings) -> None:
    urls = corpus(listener.port, redirector)
    assert len(urls) >= 60
    assert all(f":{listener.port}" not in allowed for allowed in settings.LEXOFFICE_API_BASE_URLS)
    api = token_client(alice)
    form = token_client(alice)
    form.force_login(alice)

    for number, url in enumerate(urls):
        answer = api.post(
            "/api/v1/connections/", {"name": f"api {number}", "apiKey": "anything", "baseUrl": url}, format="json"
        )
        assert answer.status_code == 400, (url, answer.content)
        assert "LEXOFFICE_API_BASE_URLS" in answer.content.decode() or answer.json()["fieldErrors"], url

        page = form.post("/connections/new/", {"name": f"form {number}", "api_key": "anything", "base_url": url})
        assert page.status_code == 400, (url, page.status_code)

        with pytest.raises(CommandError, match="not allowed"):
            call_command("connect", name=f"cli {number}", api_key="anything", base_url=url, owner="alice")

    assert Connection.objects.count() == 0
    assert listener.accepted == 0
    assert Redirector.hits == 0


def test_the_form_offers_only_the_deployments_addresses(alice_client, settings) -> None:
    settings.LEXOFFICE_API_BASE_URLS = ["http://127.0.0.1:8765", "https://sandbox.example:8443"]

    page = alice_client.get("/connections/new/").content.decode()

    assert 'value="http://127.0.0.1:8765"' in page
    assert 'value="https://sandbox.example:8443"' in page
    assert page.count("<option") == 3  # the default, then the two extras


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("", ""),
        ("https://api.lexware.io", ""),
        ("HTTPS://API.LEXWARE.IO/", ""),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
    ],
)
def test_allowed_addresses_are_stored_in_their_normal_form(given, stored, settings) -> None:
    settings.LEXOFFICE_API_BASE_URLS = ["http://127.0.0.1:8765"]

    assert checked_base_url(given) == stored


@pytest.mark.parametrize(
    "value",
    [
        "http://127.0.0.1:8765/v1",
        "http://u@127.0.0.1:8765",
        "http://127.0.0.1:8765#",
        "http://127.0.0.1:8765?",
        "http://127.0.0.1:99999",
        "ftp://127.0.0.1",
    ],
)
def test_only_plain_host_roots_have_a_normal_form(value) -> None:
    assert normalize_base_url(value) is None


def test_a_stored_address_the_deployment_no_longer_allows_is_refused_at_use(connection, listener, alice) -> None:
    Connection.objects.filter(pk=connection.pk).update(base_url=f"http://127.0.0.1:{listener.port}")
    connection.refresh_from_db()

    with pytest.raises(BaseUrlNotAllowed):
        connection.client()
    answer = token_client(alice).post(
        f"/api/v1/connections/{connection.pk}/api-call/", {"method": "GET", "path": "/v1/profile"}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "base_url_not_allowed"
    assert token_client(alice).post(f"/api/v1/connections/{connection.pk}/verify/").status_code == 400
    assert listener.accepted == 0

    with pytest.raises(SystemCheckError, match=r"lexhub\.W003"):
        call_command("check", fail_level="WARNING")
