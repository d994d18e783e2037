"""The API key is a secret: it appears in no log, page, API response, cache entry, queued message or database dump.

Connections are made with a canary key; the tests drive success and failure paths with every logger at
DEBUG and then search everything the app wrote or answered for the canary.
"""

import base64
import contextlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
import redis
from django.conf import settings
from django.db import connection as db
from django.test import Client
from rest_framework.test import APIClient

from connections.models import Connection, SyncRun
from connections.sync import start_sync
from tests.conftest import require

CANARY = "canary-KEY-5f0c1e7d-do-not-leak"


@pytest.fixture
def all_loggers_at_debug(caplog) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG (the SQL logger included), captured."""
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    previous = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for logger, level in previous:
        logger.setLevel(level)


def leaks(texts: list[str], canary: str) -> list[str]:
    return [text[:200] for text in texts if canary in text]


def app_log(caplog: pytest.LogCaptureFixture) -> str:
    """The captured log less this test's own calls to the sandbox's control API (they name the key)."""
    return "\n".join(
        caplog.handler.format(record) for record in caplog.records if "/_sandbox/" not in record.getMessage()
    )


@pytest.mark.django_db
def test_the_key_appears_in_no_log_page_or_response(
    alice, sandbox_server, all_loggers_at_debug, django_capture_on_commit_callbacks
) -> None:
    org = sandbox_server.new_org(contacts=2, api_key=CANARY)
    web, api = Client(), APIClient()
    web.force_login(alice)
    api.force_authenticate(alice)
    seen: list[str] = []

    with django_capture_on_commit_callbacks(execute=True):
        seen.append(
            web.post(
                "/connections/new/", {"name": "Canary", "api_key": CANARY, "base_url": org.base_url}, follow=True
            ).content.decode()
        )
        seen.append(
            web.post(
                "/connections/new/", {"name": "Wrong", "api_key": CANARY + "-wrong", "base_url": org.base_url}
            ).content.decode()
        )
    pk = Connection.objects.get(name="Canary").pk
    for path in ("/", "/connections/", f"/connections/{pk}/key/", f"/connections/{pk}/delete/", "/events/"):
        seen.append(web.get(path).content.decode())
    for path in ("/api/v1/connections/", f"/api/v1/connections/{pk}/", "/api/schema/"):
        seen.append(api.get(path).content.decode())
    seen.append(api.post(f"/api/v1/connections/{pk}/verify/").content.decode())
    org.configure(keyStatus="revoked")  # failure paths: 401 from Lexoffice
    seen.append(api.post(f"/api/v1/connections/{pk}/verify/").content.decode())
    seen.append(web.post(f"/connections/{pk}/verify/", follow=True).content.decode())
    seen.append(api.post(f"/api/v1/connections/{pk}/key/", {"apiKey": CANARY + "-new"}, format="json").content.decode())
    org.configure(keyStatus="forbidden")
    seen.append(api.post(f"/api/v1/connections/{pk}/sync/", {}, format="json").content.decode())
    seen.append(app_log(all_loggers_at_debug))

    assert leaks(seen, CANARY) == []
    with db.cursor() as cursor:
        cursor.execute("SELECT api_key_encrypted FROM lexhub_connection WHERE id = %s", [pk])
        stored = cursor.fetchone()[0]
    assert CANARY not in stored
    assert stored.startswith("gAAAA")  # a Fernet token


def api_urls(api: APIClient) -> list[str]:
    """Every list endpoint the API root names, plus the detail of its first row."""
    root = api.get("/api/v1/")
    assert root.status_code == 200
    urls = []
    for url in root.json().values():
        urls.append(url)
        listing = api.get(url)
        if listing.status_code == 200:
            body = listing.json()
            rows = body.get("results", body) if isinstance(body, dict) else body
            if isinstance(rows, list) and rows and isinstance(rows[0], dict) and "id" in rows[0]:
                urls.append(f"{url.rstrip('/')}/{rows[0]['id']}/")
    return urls


def redis_blobs(url: str) -> Iterator[bytes]:
    """Every key and value in one Redis database, whatever the value's type."""
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(count=1000):
        yield key
        kind = client.type(key).decode()
        if kind == "string":
            yield client.get(key) or b""
        elif kind == "list":
            yield from client.lrange(key, 0, -1)
        elif kind == "hash":
            for field, value in client.hgetall(key).items():
                yield field
                yield value
        elif kind == "set":
            yield from client.smembers(key)
        elif kind == "zset":
            yield from client.zrange(key, 0, -1)


def file_blobs(folder: Path) -> Iterator[bytes]:
    if folder.exists():
        for path in folder.rglob("*"):
            if path.is_file():
                yield path.read_bytes()


def with_message_bodies(blob: bytes) -> list[bytes]:
    """A queued Celery message carries its body base64-encoded: search the decoded body too."""
    found = [blob]
    try:
        message = json.loads(blob)
    except (ValueError, UnicodeDecodeError):
        return found
    if isinstance(message, list) and message:  # kombu's redis transport stores [message, exchange, key]
        message = message[0]
    if isinstance(message, dict) and isinstance(message.get("body"), str):
        with contextlib.suppress(ValueError):
            found.append(base64.b64decode(message["body"]))
    return found


def stored_blobs() -> Iterator[bytes]:
    """Cache entries, queued messages and the rate limiter's state, wherever this configuration keeps them."""
    urls = [settings.REDIS_URL, settings.CELERY_BROKER_URL]
    for url in urls:
        if url.startswith("redis"):
            yield from redis_blobs(url)
    if not settings.REDIS_URL:
        yield from file_blobs(Path(settings.CACHES["default"]["LOCATION"]))
        yield from file_blobs(settings.VAR_DIR / "ratelimit")
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        yield from file_blobs(settings.VAR_DIR / "broker")


def database_dump() -> str:
    """A plain-text dump of the whole test database, as an operator would take it."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        with sqlite3.connect(database["NAME"]) as raw:
            return "\n".join(raw.iterdump())
    require(shutil.which("pg_dump") is not None, "pg_dump is not installed")
    env = {"PGPASSWORD": database.get("PASSWORD") or ""}
    result = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "--no-owner",
            "-h",
            database.get("HOST") or "127.0.0.1",
            "-p",
            str(database.get("PORT") or 5432),
            "-U",
            database.get("USER") or "postgres",
            database["NAME"],
        ],
        capture_output=True,
        check=True,
        env={**os.environ, **env},
        timeout=120,
    )
    return result.stdout.decode(errors="replace")


def test_the_key_is_absent_from_failures_admin_api_cache_queues_and_the_database(
    transactional_db, alice, staff, sandbox_server, all_loggers_at_debug, settings
) -> None:
    settings.DEBUG = False
    org = sandbox_server.new_org(contacts=3, vouchers=4, invoices=1, api_key=CANARY + "-2")
    canary = org.api_key
    web, api, admin = Client(raise_request_exception=False), APIClient(), Client()
    web.force_login(alice)
    api.force_authenticate(alice)
    staff.is_superuser = True
    staff.save()
    admin.force_login(staff)
    seen: list[str] = []

    # Success: connect (the key verified, webhooks registered and a sync queued on commit).
    seen.append(
        web.post(
            "/connections/new/", {"name": "Canary 2", "api_key": canary, "base_url": org.base_url}, follow=True
        ).content.decode()
    )
    connection = Connection.objects.get(name="Canary 2")
    assert connection.organization_id is not None
    run = start_sync(connection=connection, kind=SyncRun.Kind.FULL, user=alice)

    # Lexoffice failing: a 500 on every contacts page, then the run executed as a task (eagerly, in-process).
    org.set_faults([{"path": "^/v1/contacts$", "method": "GET", "kind": "status", "status": 500}])
    from connections.tasks import sync_task

    result = sync_task.apply(args=[run.pk], retries=sync_task.max_retries)  # the last try: it raises
    assert result.failed()
    seen.append(repr(result.result) + str(result.traceback or ""))
    org.clear_faults()
    for status in ("revoked", "forbidden"):  # 401 and 403 from Lexoffice
        org.configure(keyStatus=status)
        seen.append(api.post(f"/api/v1/connections/{connection.pk}/verify/").content.decode())
        seen.append(web.post(f"/connections/{connection.pk}/verify/", follow=True).content.decode())
    org.configure(keyStatus="active")

    # A crash inside a view with DEBUG off: the generic 500 page, and the logged traceback.
    with mock.patch("lexhub.views.render", side_effect=RuntimeError(f"boom near {connection.client()!r}")):
        crashed = web.get("/")
    assert crashed.status_code == 500
    seen.append(crashed.content.decode())

    # The admin, every API endpoint the root names and the schema.
    for path in (
        "/admin/",
        "/admin/connections/connection/",
        f"/admin/connections/connection/{connection.pk}/change/",
        "/admin/connections/syncrun/",
        "/admin/connections/auditlog/",
        "/admin/webhooks/eventsubscription/",
    ):
        page = admin.get(path)
        assert page.status_code == 200, path
        seen.append(page.content.decode())
    for url in api_urls(api):
        seen.append(api.get(url).content.decode())
    seen.append(api.get("/api/schema/").content.decode())
    seen.append(app_log(all_loggers_at_debug))

    assert leaks(seen, canary) == []
    blobs = [blob for raw in stored_blobs() for blob in with_message_bodies(raw)]
    assert any(b"connections.tasks.sync_task" in blob for blob in blobs)  # the queue was searched, messages and all
    assert [blob[:120] for blob in blobs if canary.encode() in blob] == []
    dump = database_dump()
    assert connection.api_key_encrypted in dump  # the dump is real and holds the ciphertext …
    assert canary not in dump  # … and never the key
