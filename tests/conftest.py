"""Shared fixtures: services, personas and servers. Process handling itself is in harness/ (plain, no pytest)."""

import os
from collections.abc import Iterator

import pytest
from django.conf import settings

pytest_plugins = ["tests.fixtures.sandbox", "tests.fixtures.lexoffice", "tests.fixtures.app"]

REQUIRE_SERVICES = os.environ.get("LEXHUB_REQUIRE_SERVICES") == "1"


def require(condition: bool, reason: str) -> None:
    """Skip locally when a service or browser is missing; fail in CI (LEXHUB_REQUIRE_SERVICES=1)."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = settings.DATABASES["default"]
    broker_scheme = settings.CELERY_BROKER_URL.split("://", 1)[0]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return [
        f"lexhub: database vendor={database['ENGINE'].rsplit('.', 1)[-1]} name={database['NAME']}",
        f"lexhub: broker scheme={broker_scheme} cache={cache} redis={'set' if settings.REDIS_URL else 'unset'}",
        f"lexhub: require services={REQUIRE_SERVICES}",
    ]


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> Iterator[None]:
    """Users the fixtures create get a cheap hash; tests/security sets its own hasher where it matters."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["tests.fixtures.hashers.OneIterationPBKDF2PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """A request's language (LocaleMiddleware activates it on the thread) does not leak into the next test."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def isolated_cache(settings) -> None:
    """Each test gets its own cache key prefix: no flushing of a shared Redis, no leaks between tests."""
    import uuid

    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"} for name, config in settings.CACHES.items()
    }


@pytest.fixture(scope="session")
def live_server(live_server, django_db_setup, django_db_blocker):
    """pytest-django's live server, and at the end of the session its database sessions ended. A browser keeps
    its HTTP connections open, and a request thread that serves one keeps its database connection (Lexhub's
    CONN_MAX_AGE) until the process exits: PostgreSQL then refuses to drop the test database."""
    yield live_server
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
