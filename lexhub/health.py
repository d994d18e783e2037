"""Reachability of the services Lexhub depends on, for /healthz and the test-session banner."""

from django.core.cache import cache
from django.db import connection

from lexhub.celery import app as celery_app


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means "down"
        return type(exc).__name__
    return None


def check_broker() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return type(exc).__name__
    return None


def check_cache() -> str | None:
    try:
        cache.set("lexhub:healthz", "ok", 10)
        if cache.get("lexhub:healthz") != "ok":
            return "value not read back"
    except Exception as exc:
        return type(exc).__name__
    return None


def service_status() -> dict[str, dict[str, object]]:
    checks = {"database": check_database, "broker": check_broker, "cache": check_cache}
    status = {}
    for name, check in checks.items():
        error = check()
        status[name] = {"ok": error is None} | ({"error": error} if error else {})
    return status
