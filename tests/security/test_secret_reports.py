"""No header a user sends can crash the client, and no crash can show the key: not on Django's debug page,
not in its text report, not in the log."""

import json
import logging

import pytest
import urllib3

from lexoffice.client import Lexoffice
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

BAD_REQUESTS = [
    {"headers": {"Accept": "☃"}},
    {"headers": {"Accept": "application/json\u0100"}},
    {"headers": {"Accept": "a\r\nX-Evil: 1"}},
    {"headers": {"Accept": "a\nb"}},
    {"headers": {"Accept": "\x00"}},
    {"headers": {"Accept": "\x7f"}},
    {"headers": {"Accept": "x" * 5000}},
    {"headers": {"Content-Type": "text/plain; charset=\u00e9\u20ac"}},
    {"headers": {"Authorization": "Bearer other"}},
    {"headers": {"Host": "evil.test"}},
    {"headers": {"Cookie": "a=b"}},
    {"headers": {"X-Forwarded-For": "1.2.3.4"}},
    {"headers": {"Accept\r\n": "x"}},
    {"headers": {"Accept:": "x"}},
    {"headers": {"": "x"}},
    {"headers": {"Proxy-Authorization": "Basic eA=="}},
    {"headers": "Accept: text/plain"},
    {"query": {"q": "\ud800"}},
    {"query": {"\ud800": "x"}},
    {"query": {"q": "a\r\nb"}},
    {"query": {"q": "x" * 5000}},
    {"query": ["q"]},
    {"path": "/v1/profile\ud800"},
    {"path": "/v1/prof\u00efle"},
    {"body": "\ud800"},
]


@pytest.mark.parametrize("extra", BAD_REQUESTS)
def test_a_header_query_or_body_that_cannot_be_sent_is_a_400(connection, alice, extra) -> None:
    body = json.dumps({"method": "GET", "path": "/v1/profile", **extra})  # \ud800 travels escaped, as JSON allows

    answer = token_client(alice).post(
        f"/api/v1/connections/{connection.pk}/api-call/", body, content_type="application/json"
    )

    assert answer.status_code == 400, answer.content
    assert answer.json()["message"]


def test_latin1_header_values_are_still_sent(connection, alice) -> None:
    answer = token_client(alice).post(
        f"/api/v1/connections/{connection.pk}/api-call/",
        {"method": "GET", "path": "/v1/profile", "headers": {"Accept": "application/json; q=0.9, */*; x=\u00e9"}},
        format="json",
    )

    assert answer.status_code == 200, answer.content


@pytest.fixture
def exploding_transport(monkeypatch):
    """An error deep inside urllib3, after requests has built the headers with the key in them."""

    def explode(self, method, url, body=None, headers=None, **kwargs):
        raise RuntimeError("the transport broke")

    monkeypatch.setattr(urllib3.connection.HTTPConnection, "request", explode)


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_a_crash_inside_the_client_shows_the_key_nowhere(
    connection, sandbox, alice, settings, caplog, accept, exploding_transport
) -> None:
    settings.DEBUG = True
    client = token_client(alice)
    client.raise_request_exception = False
    caplog.set_level(logging.DEBUG)

    answer = client.post(
        f"/api/v1/connections/{connection.pk}/api-call/",
        {"method": "GET", "path": "/v1/profile"},
        format="json",
        HTTP_ACCEPT=accept,
    )

    page = answer.content.decode()
    assert answer.status_code == 500
    assert "the transport broke" in page  # it is the debug report
    assert "Traceback" in page or "traceback" in page
    assert sandbox.api_key not in page
    assert "Authorization" in page  # the header is there, its value masked
    assert sandbox.api_key not in caplog.text
    for record in caplog.records:
        assert sandbox.api_key not in logging.Formatter().format(record)


def test_the_client_and_its_session_never_hold_the_key_in_plain_sight(sandbox) -> None:
    client = Lexoffice(sandbox.api_key, sandbox.base_url, rate=0)

    assert sandbox.api_key not in repr(client)
    assert sandbox.api_key not in repr(client._session.headers)
    assert sandbox.api_key not in repr(client._session.auth)
    assert sandbox.api_key not in repr(vars(client))
    assert client.profile()["organizationId"] == sandbox.organization_id  # and it still authenticates


def test_the_log_filter_masks_credentials(caplog) -> None:
    from lexhub.reporting import ScrubSecrets

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "sent %s", ("Authorization: Bearer s3cr3t-k3y",), None)
    ScrubSecrets().filter(record)

    assert "s3cr3t-k3y" not in record.getMessage()
    assert "Bearer ****" in record.getMessage()
