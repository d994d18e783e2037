"""Login throttling (django-axes, lexhub/auth.py): per username and address together, a ceiling per
address, never a lockout of a username from other addresses; the client address and its proxies."""

import pytest
from django.test import Client, RequestFactory, override_settings

from lexhub.client_address import client_address, throttle_address

pytestmark = pytest.mark.django_db
LIMIT = 10  # settings.AXES_FAILURE_LIMIT


@pytest.fixture(autouse=True)
def fast_hashing(settings) -> None:
    """Every failed login hashes a password; the default hasher's cost would make 30 of them slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_user("admin", "admin@example.org", "admin-password-1")


def attempt(client: Client, username: str, password: str, address: str, **headers: str) -> int:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    ).status_code


def test_guessing_from_one_address_never_locks_the_owner_out_elsewhere(admin, settings) -> None:
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    attacker = Client()
    statuses = [attempt(attacker, "admin", f"guess-{n}", "203.0.113.9") for n in range(30)]

    # The limit's own failure is already answered with the lockout; after it, nothing is even tried.
    assert statuses[: LIMIT - 1] == [200] * (LIMIT - 1)
    assert statuses[LIMIT - 1 :] == [429] * (30 - LIMIT + 1)
    # Even the right password waits out the brake at the attacker's address ...
    assert attempt(attacker, "admin", "admin-password-1", "203.0.113.9") == 429
    # ... while the owner, elsewhere, signs in at once.
    owner = Client()
    assert attempt(owner, "admin", "admin-password-1", "198.51.100.7") == 302
    assert owner.get("/").wsgi_request.user.get_username() == "admin"


def test_the_lockout_page_is_the_login_page_with_a_message(admin) -> None:
    client = Client()
    for n in range(LIMIT):
        response = client.post(
            "/accounts/login/", {"username": "admin", "password": f"x{n}", "next": "/audit/"}, REMOTE_ADDR="203.0.113.9"
        )

    assert response.status_code == 429
    assert response["Retry-After"] == "300"
    html = response.content.decode()
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in html  # German, the default
    assert 'name="password"' in html and 'value="/audit/"' in html  # the login form, not axes' bare text
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]  # the site's middleware still ran


def test_the_lockout_ends_after_the_cool_off(admin, settings) -> None:
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.db.models import F

    client = Client()
    for n in range(LIMIT):
        attempt(client, "admin", f"x{n}", "203.0.113.9")
    assert attempt(client, "admin", "admin-password-1", "203.0.113.9") == 429

    # As if the cool-off (5 minutes) had passed since the last failure.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=6))
    assert attempt(client, "admin", "admin-password-1", "203.0.113.9") == 302


def test_one_address_spraying_many_usernames_meets_the_address_ceiling(django_user_model, settings) -> None:
    settings.LEXHUB_LOGIN_ADDRESS_FAILURE_LIMIT = 20
    victim = django_user_model.objects.create_user("zoe", "zoe@example.org", "zoe-password-1")
    client = Client()
    statuses = [attempt(client, f"user{n // 5}", f"guess-{n}", "203.0.113.9") for n in range(25)]

    # 5 tries per name stay under the per-name limit of 10; the address's 20th failure is the ceiling.
    assert statuses[:19] == [200] * 19
    assert statuses[19:] == [429] * 6
    assert attempt(client, victim.username, "zoe-password-1", "203.0.113.9") == 429
    # Another address is not affected, nor is the per-name count of the sprayed names.
    assert attempt(Client(), victim.username, "zoe-password-1", "198.51.100.7") == 302
    assert attempt(Client(), "user0", "wrong", "198.51.100.7") == 200


def test_a_successful_login_clears_that_usernames_failures_at_that_address(admin) -> None:
    client = Client()
    for n in range(LIMIT - 1):
        attempt(client, "admin", f"x{n}", "203.0.113.9")
    assert attempt(client, "admin", "admin-password-1", "203.0.113.9") == 302
    client.post("/accounts/logout/", REMOTE_ADDR="203.0.113.9")
    assert [attempt(client, "admin", f"y{n}", "203.0.113.9") for n in range(LIMIT - 1)] == [200] * (LIMIT - 1)


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_clients_are_throttled_by_their_forwarded_address(admin) -> None:
    proxy = "10.0.0.2"
    attacker = Client()
    statuses = [attempt(attacker, "admin", f"x{n}", proxy, HTTP_X_FORWARDED_FOR="203.0.113.9") for n in range(12)]
    assert statuses[-3:] == [429] * 3

    # Another client behind the same proxy (same REMOTE_ADDR) is its own address ...
    owner = Client()
    assert attempt(owner, "admin", "admin-password-1", proxy, HTTP_X_FORWARDED_FOR="198.51.100.7") == 302
    # ... and the attacker cannot step around by prepending an address: the proxy's own entry is last.
    assert (
        attempt(attacker, "admin", "admin-password-1", proxy, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9") == 429
    )


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_trusted_proxies_a_forged_forwarded_header_is_ignored(admin) -> None:
    attacker = Client()
    statuses = [
        attempt(attacker, "admin", f"x{n}", "203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}") for n in range(12)
    ]

    assert statuses[-3:] == [429] * 3  # every forged address was the same client
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1", "203.0.113.9"),
        (1, "10.0.0.2", "192.0.2.1, 203.0.113.9", "203.0.113.9"),
        (2, "10.0.0.3", "192.0.2.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "10.0.0.3", "203.0.113.9", "10.0.0.3"),  # fewer entries than proxies: not trusted
        (1, "10.0.0.2", "203.0.113.9:51234", "203.0.113.9"),
        (1, "10.0.0.2", "[2001:db8::1]:443", "2001:db8::1"),
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
        (0, "::ffff:203.0.113.9", "", "203.0.113.9"),
        (0, "2001:DB8:0::1", "", "2001:db8::1"),
        (0, "", "", ""),
    ],
)
def test_client_address(count: int, remote: str, forwarded: str, expected: str) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_address(request) == expected


def test_odd_input_is_an_ordinary_failure(admin) -> None:
    """What axes would store must not break its table (PostgreSQL refuses NUL and over-long text)."""
    client = Client()
    for username in ("a\x00b", "x" * 300, "admin\n"):
        assert (
            client.post(
                "/accounts/login/",
                {"username": username, "password": "p\x00", "next": "/\x00"},
                REMOTE_ADDR="203.0.113.9",
                HTTP_USER_AGENT="u" * 600,
            ).status_code
            == 200
        )


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),  # a subscriber's /64 is one client
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("", ""),
    ],
)
def test_throttles_count_an_ipv6_client_by_its_64(remote: str, expected: str) -> None:
    assert throttle_address(RequestFactory().get("/", REMOTE_ADDR=remote)) == expected


def test_rotating_through_an_ipv6_64_does_not_escape_the_brake(admin) -> None:
    client = Client()
    statuses = [attempt(client, "admin", f"x{n}", f"2001:db8:1:2::{n + 1:x}") for n in range(LIMIT + 1)]
    assert statuses[-2:] == [429, 429]
    assert attempt(Client(), "admin", "admin-password-1", "2001:db8:1:3::1") == 302  # the next /64 is not


@pytest.mark.django_db
def test_the_sign_in_log_is_kept_for_its_days_and_no_longer(settings) -> None:
    from datetime import timedelta

    from axes.models import AccessFailureLog, AccessLog
    from django.utils import timezone

    from lexhub.tasks import expire_login_log_task

    settings.LEXHUB_LOGIN_LOG_DAYS = 90
    now = timezone.now()
    for model in (AccessLog, AccessFailureLog):
        for days, name in ((91, "old"), (89, "recent")):
            model.objects.create(username=name, ip_address="203.0.113.9", user_agent="x", path_info="/")
            # attempt_time is set on creation: date the row back
            model.objects.filter(username=name).update(attempt_time=now - timedelta(days=days))

    assert expire_login_log_task() == 2
    assert sorted(AccessLog.objects.values_list("username", flat=True)) == ["recent"]
    assert sorted(AccessFailureLog.objects.values_list("username", flat=True)) == ["recent"]
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "lexhub.tasks.expire_login_log_task" in schedule  # beat runs it
