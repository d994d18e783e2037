"""The pieces the API's hot path is built from: one-query token auth, the sliding-window throttle,
orjson rendering, PostgreSQL's C timestamp loader and its health check without a round trip. Each must
behave exactly like what it replaced."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection as db
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from knox.models import AuthToken
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.renderers import JSONRenderer as DrfJSONRenderer

from connections.models import Connection
from lexhub.api_auth import TokenAuthentication, tokens_with_key
from tests.conftest import require
from web.api import JSONRenderer, TokenRateThrottle

pytestmark = pytest.mark.django_db


def make_connection(owner, name: str) -> Connection:
    return Connection.objects.create(owner=owner, name=name, api_key_encrypted="", organization_id=uuid.uuid4())


def authenticate(token: str):
    return TokenAuthentication().authenticate_credentials(token.encode())


# --- token authentication ------------------------------------------------------------------------


def test_the_token_query_finds_exactly_the_connections_the_user_sees(alice, bob, staff) -> None:
    mine = make_connection(alice, "Mine")
    shared = make_connection(bob, "Shared with Alice")
    shared.members.add(alice)
    make_connection(bob, "Bob only")
    lonely = get_user_model().objects.create_user("lonely", password="x")

    for user in (alice, bob, staff, lonely):
        _token, text = AuthToken.objects.create(user=user)
        user_found, auth_token = authenticate(text)
        expected = list(Connection.objects.visible_to(user).order_by("pk").values_list("pk", flat=True))
        assert user_found == user
        assert auth_token.connection_ids == expected
        # Typed as the ORM would type them (SQLite hands the raw query text and integers).
        assert (user_found.date_joined, user_found.is_active, auth_token.created) == (
            user.date_joined,
            True,
            AuthToken.objects.get(digest=auth_token.digest).created,
        )
    assert authenticate(AuthToken.objects.create(user=alice)[1])[1].connection_ids == [mine.pk, shared.pk]


def test_tokens_sharing_a_key_prefix_are_told_apart_by_their_digest(alice, bob) -> None:
    alice_token, alice_text = AuthToken.objects.create(user=alice)
    bob_token, bob_text = AuthToken.objects.create(user=bob)
    AuthToken.objects.filter(pk=bob_token.pk).update(token_key=alice_token.token_key)
    forged = alice_text[: len(alice_token.token_key)] + bob_text[len(alice_token.token_key) :]

    assert len(tokens_with_key(alice_token.token_key)) == 2
    assert authenticate(alice_text)[0] == alice
    with pytest.raises(AuthenticationFailed):
        authenticate(forged)


def test_expired_tokens_are_refused_and_deleted_and_inactive_users_refused(alice) -> None:
    expired, expired_text = AuthToken.objects.create(user=alice, expiry=datetime.timedelta(seconds=1))
    AuthToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(AuthenticationFailed):
        authenticate(expired_text)
    assert not AuthToken.objects.filter(pk=expired.pk).exists()

    _token, text = AuthToken.objects.create(user=alice)
    alice.is_active = False
    alice.save()
    with translation.override("en"), pytest.raises(AuthenticationFailed, match="inactive"):  # the API's language
        authenticate(text)
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(b"\xff\xfe not utf-8")


# --- sliding-window throttle ---------------------------------------------------------------------


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def throttle_at(clock: Clock, rate: str) -> TokenRateThrottle:
    throttle = TokenRateThrottle()
    throttle.timer = clock
    throttle.rate = rate
    throttle.num_requests, throttle.duration = throttle.parse_rate(rate)
    return throttle


class FakeRequest:
    def __init__(self, token: AuthToken) -> None:
        self.auth, self.user = token, token.user


def test_the_throttle_counts_a_sliding_window_and_refusals_cost_nothing(alice) -> None:
    request = FakeRequest(AuthToken.objects.create(user=alice)[0])
    clock = Clock(600.0)  # the start of a 60 s window

    def attempt() -> tuple[bool, float]:
        throttle = throttle_at(clock, "4/minute")
        allowed = throttle.allow_request(request, None)
        return allowed, (0.0 if allowed else throttle.wait())

    assert [attempt()[0] for _ in range(4)] == [True] * 4
    refused, wait = attempt()
    assert not refused
    assert wait == pytest.approx(60 + 60 * (1 - 3 / 4))  # next window, once 4 * (1 - t) + 1 <= 4
    assert attempt() == (False, pytest.approx(wait))  # the refusal did not raise the count

    clock.now = 660.0 + 15  # 15 s into the next window: 4 * 0.75 = 3 still counted
    assert attempt()[0] is True
    refused, wait = attempt()  # 3 + 2 > 4 until the previous window's share drops to 2: at 30 s
    assert (refused, wait) == (False, pytest.approx(15.0))
    clock.now = 660.0 + 30
    assert attempt()[0] is True
    assert cache.get(f"throttle_user_token-{request.auth.token_key}:11") == 2


def test_each_token_and_each_window_is_counted_apart(alice) -> None:
    first, second = (FakeRequest(AuthToken.objects.create(user=alice)[0]) for _ in range(2))
    clock = Clock(1200.0)
    assert throttle_at(clock, "1/second").allow_request(first, None)
    assert not throttle_at(clock, "1/second").allow_request(first, None)
    assert throttle_at(clock, "1/second").allow_request(second, None)
    clock.now += 2  # two windows on: nothing of the earlier one is counted
    assert throttle_at(clock, "1/second").allow_request(first, None)


# --- rendering -----------------------------------------------------------------------------------


def test_orjson_renders_the_same_bytes_as_drf() -> None:
    data = {
        "when": datetime.datetime(2026, 11, 25, 8, 0, 1, 250, tzinfo=datetime.UTC),
        "berlin": datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
        "day": datetime.date(2026, 1, 2),
        "amount": Decimal("119.50"),
        "id": uuid.UUID(int=7),
        "lazy": gettext_lazy("Invalid token."),
        "text": 'Grüße \u2028 \u2029 "quoted"',
        3: "int key",
        "nested": [{"n": None, "t": True, "f": 1.5}],
        "huge": 2**70,
    }
    ours, drf = JSONRenderer(), DrfJSONRenderer()
    assert ours.render(data) == drf.render(data)
    assert ours.render({"a": [1]}, "application/json; indent=2") == drf.render({"a": [1]}, "application/json; indent=2")
    assert ours.render(None) == drf.render(None) == b""


# --- PostgreSQL's C timestamp loader ---------------------------------------------------------------


def test_timestamps_are_read_by_the_c_loader_as_aware_utc() -> None:
    require(db.vendor == "postgresql", "PostgreSQL (DATABASE_URL) for the timestamp loader")
    from psycopg.postgres import types
    from psycopg.pq import Format

    db.ensure_connection()
    loader = db.connection.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)
    assert loader.__name__ == "UtcTimestamptzLoader"
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT TIMESTAMPTZ '2026-03-29 01:30:00.123456+01', NULL::timestamptz, TIMESTAMPTZ 'infinity' > now()"
        )
        value, empty, _later = cursor.fetchone()
    assert value == datetime.datetime(2026, 3, 29, 0, 30, 0, 123456, tzinfo=datetime.UTC)
    assert value.utcoffset() == datetime.timedelta(0) and value.isoformat().endswith("+00:00")
    assert empty is None


def test_the_health_check_asks_the_socket_keeps_a_live_connection_and_replaces_an_ended_one() -> None:
    require(db.vendor == "postgresql", "PostgreSQL (DATABASE_URL) for the connection health check")
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        other.health_check_done = False  # as at the start of the next request
        other.close_if_health_check_failed()
        assert other.connection is not None  # a live connection is kept...
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
            assert cursor.fetchone()[0] == "SELECT pg_backend_pid()"  # ...and the check sent it no query
            cursor.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])  # returns once it has ended
            assert cursor.fetchone() == (True,)
        assert not other.is_usable()

        other.health_check_done = False  # the next request
        other.close_if_health_check_failed()
        assert other.connection is None
        with other.cursor() as cursor:  # a new connection serves it
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        other.close()


# --- filter sets ---------------------------------------------------------------------------------


def test_filter_sets_share_no_state_between_requests(alice) -> None:
    from contacts.api import ContactFilter

    make_connection(alice, "Mine")
    first, second = ContactFilter({"search": "a"}), ContactFilter({"search": "b", "role": "vendor"})

    assert first.form is not second.form
    for filter_set in (first, second):
        assert all(f.parent is filter_set for f in filter_set.filters.values())
        assert filter_set.filters["search"].filter.f is filter_set.filters["search"]  # method bound to its copy
    assert all(getattr(f, "parent", None) is None for f in ContactFilter.base_filters.values())
    assert (first.is_valid(), second.is_valid()) == (True, True)
    assert (first.form.cleaned_data["search"], second.form.cleaned_data["role"]) == ("a", "vendor")
    first_where, second_where = (str(f.qs.query).split(" WHERE ", 1)[1] for f in (first, second))
    assert "UPPER(a)" in first_where and "is_vendor" not in first_where
    assert "UPPER(b)" in second_where and "is_vendor" in second_where


# --- contact search: ids first, then the page's rows ------------------------------------------------


def test_a_contact_search_pages_through_every_match_in_name_order_in_any_case(alice) -> None:
    from contacts.models import Contact
    from tests.api.conftest import token_client

    connection = make_connection(alice, "Mine")
    names = [f"{prefix} Müller {n:03d}" for n in range(70) for prefix in ("Bäckerei", "café")] + ["Schulz", "Koch"]
    Contact.objects.bulk_create(
        [
            Contact(
                connection=connection,
                lexoffice_id=uuid.uuid4(),
                name=name,
                raw={"note": name},
                emails=f"info{index}@example.test",
                customer_number=4242 if name == "Koch" else None,
            )
            for index, name in enumerate(names)
        ]
    )
    Contact.objects.filter(name="café Müller 000").update(deleted_upstream_at=timezone.now())
    client = token_client(alice)

    def walk(search: str) -> list[str]:
        found, url = [], "/api/v1/contacts/"
        params = {"search": search, "pageSize": 50}
        while url:
            page = client.get(url, params).json()
            found += [row["note"] for row in page["results"]]
            url, params = page["next"], None
        return found

    expected = sorted((n for n in names if "Müller" in n and n != "café Müller 000"), key=lambda n: n)
    assert walk("müLLER") == expected  # 139 rows over three pages, deleted one left out
    if db.vendor == "postgresql":  # SQLite's UPPER() folds ASCII letters only (as its LIKE did before)
        assert walk("MÜLLER") == expected
    assert walk("INFO141@EXAMPLE") == ["Koch"]  # an address
    assert walk("4242") == ["Koch"]  # a customer number
    assert walk("nobody") == []


def test_a_row_gone_between_the_ids_and_the_rows_does_not_end_the_paging(alice, monkeypatch) -> None:
    from contacts.api import ContactViewSet
    from contacts.models import Contact
    from tests.api.conftest import token_client

    connection = make_connection(alice, "Mine")
    Contact.objects.bulk_create(
        [
            Contact(
                connection=connection, lexoffice_id=uuid.uuid4(), name=f"Koch {n:02d}", raw={"note": f"Koch {n:02d}"}
            )
            for n in range(30)
        ]
    )
    original = ContactViewSet.rows_by_id
    vanished = []

    def rows_by_id_losing_the_last(self, ids):
        if not vanished:  # the first page's last row disappears after its id was read
            vanished.append(Contact.objects.get(pk=ids[-1]).name)
            Contact.objects.filter(pk=ids[-1]).delete()
        return original(self, ids)

    monkeypatch.setattr(ContactViewSet, "rows_by_id", rows_by_id_losing_the_last)
    client = token_client(alice)
    first = client.get("/api/v1/contacts/", {"search": "koch", "pageSize": 10}).json()
    found = [row["note"] for row in first["results"]]
    url = first["next"]
    while url:
        page = client.get(url).json()
        found += [row["note"] for row in page["results"]]
        url = page["next"]

    assert vanished == ["Koch 09"] and len(first["results"]) == 9 and first["next"]
    assert found == [f"Koch {n:02d}" for n in range(30) if n != 9]


# --- the A/B bench's switches (bench/speedups.py) ---------------------------------------------------


@pytest.mark.parametrize("off", ["compiled_walks", "token_query", "utc_loader"])
def test_each_speed_up_turned_off_serves_the_same_pages(alice, bob, settings, off) -> None:
    """The bench compares each speed-up with the plain code path it replaces: both must answer alike."""
    from contacts.models import Contact
    from tests.api.conftest import token_client

    mine, shared = make_connection(alice, "Mine"), make_connection(bob, "Shared with Alice")
    shared.members.add(alice)
    make_connection(bob, "Bob only")
    for index in range(7):
        for conn in (mine, shared):
            Contact.objects.create(connection=conn, lexoffice_id=uuid.uuid4(), name=f"Firma {index}", version=1, raw={})
    paths = ["/api/v1/contacts/?pageSize=3", "/api/v1/contacts/?pageSize=4&search=firma&ordering=-name"]

    def walk(path: str) -> list:
        client, rows = token_client(alice), []
        while path:
            page = client.get(path).json()
            rows += page["results"]
            path = page["next"]
        return rows

    shipped = [walk(path) for path in paths]
    settings.LEXHUB_SPEEDUPS_OFF = frozenset({off})
    assert [walk(path) for path in paths] == shipped
    assert len(shipped[0]) == len(shipped[1]) == 14
    assert [row["id"] for row in shipped[1]] == list(
        Contact.objects.filter(connection__in=[mine, shared]).order_by("-name", "-id").values_list("id", flat=True)
    )
