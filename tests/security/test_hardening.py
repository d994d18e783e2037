"""Hardening: make run without DEBUG, Lexhub's own error pages, a private var/, and the webhook probe.
Files shown inline only when safe: test_file_serving.py; the CSP per page type: test_csp.py."""

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from harness.processes import ROOT
from web.csp import CONTENT_SECURITY_POLICY

# Variables that would steer a child process away from a fresh var/ (a CI database, a shared broker, ...).
DEPLOYMENT_VARIABLES = (
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "MEDIA_ROOT",
    "DJANGO_DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "ALLOWED_HOSTS",
)


def fresh_env(var_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in DEPLOYMENT_VARIABLES}
    return {**env, "LEXHUB_VAR_DIR": str(var_dir)}


# 1. make run with DEBUG off, and Lexhub's error pages


def test_make_run_starts_without_debug_and_with_cookies_for_plain_http(tmp_path) -> None:
    dry_run = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60, env=fresh_env(tmp_path / "var")
    )
    migrate = next(line for line in dry_run.stdout.splitlines() if "manage.py migrate" in line)
    variables = " ".join(re.findall(r"\b[A-Z_]+=\$\{[^}]*\}", migrate))  # NAME=${NAME:-default} as make runs them
    probe = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps("
        "[s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.ALLOWED_HOSTS]))"
    )
    shown = subprocess.run(
        ["sh", "-c", f'{variables} "{sys.executable}" -c "$PROBE"'],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=60,
        env={**fresh_env(tmp_path / "var"), "PROBE": probe, "DJANGO_SETTINGS_MODULE": "lexhub.settings"},
    )

    assert "DJANGO_DEBUG=${DJANGO_DEBUG:-0}" in migrate
    assert shown.returncode == 0, shown.stderr
    debug, session_secure, csrf_secure, hosts = json.loads(shown.stdout.strip().splitlines()[-1])
    assert (debug, session_secure, csrf_secure) == (False, False, False)
    assert {"localhost", "127.0.0.1"} <= set(hosts)


@pytest.mark.django_db
def test_an_unknown_address_gets_lexhubs_404_without_url_patterns(client: Client, alice, settings) -> None:
    settings.DEBUG = False
    anonymous = client.get("/no-such-page/")
    client.force_login(alice)
    logged_in = client.get("/no-such-page/")

    for response in (anonymous, logged_in):
        html = response.content.decode()
        assert response.status_code == 404
        assert "<h1>Seite nicht gefunden</h1>" in html and "lexhub/lexhub.css" in html  # German, the default
        assert "URLconf" not in html and "api/v1/" not in html
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert 'href="/contacts/"' in logged_in.content.decode()  # in the layout, with its navigation


@pytest.mark.django_db
def test_a_missing_object_gets_lexhubs_404(alice_client: Client, settings) -> None:
    settings.DEBUG = False
    response = alice_client.get("/contacts/99999/")

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()
    assert "No Contact matches" not in response.content.decode()


@pytest.mark.django_db
def test_403_and_400_use_lexhubs_layout(alice_client: Client, settings) -> None:
    from django.core.exceptions import PermissionDenied, SuspiciousOperation

    settings.DEBUG = False
    with mock.patch("contacts.views.render", side_effect=PermissionDenied("internal detail")):
        denied = alice_client.get("/contacts/")
    with mock.patch("contacts.views.render", side_effect=SuspiciousOperation("internal detail")):
        bad = alice_client.get("/contacts/")

    assert denied.status_code == 403 and "<h1>Access denied</h1>" in denied.content.decode()
    assert bad.status_code == 400 and "<h1>Bad request</h1>" in bad.content.decode()
    for response in (denied, bad):
        assert "internal detail" not in response.content.decode()
        assert "lexhub/lexhub.css" in response.content.decode()


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_gets_lexhubs_page_in_german(alice, settings) -> None:
    settings.DEBUG = False
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = browser.post("/contacts/new/", {"name": "Kanzlei Weber"})  # a form, sent without its token

    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Das Formular konnte nicht gesendet werden</h1>" in html and "lexhub/lexhub.css" in html
    assert "CSRF verification failed" not in html and "DEBUG" not in html


def test_the_500_page_needs_neither_the_request_nor_the_database() -> None:
    from django.views.defaults import server_error

    request = RequestFactory().get("/")  # no user, no session; no django_db mark, so a query would fail the test
    with translation.override("de"):
        response = server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Serverfehler</h1>" in html and "lexhub/lexhub.css" in html and 'class="topbar"' in html


@pytest.mark.django_db
def test_a_crash_with_debug_off_shows_lexhubs_500_page(alice, settings) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    with mock.patch("lexhub.views.render", side_effect=RuntimeError("secret detail")):
        response = client.get("/")

    assert response.status_code == 500
    assert "<h1>Serverfehler</h1>" in response.content.decode()  # German, the default
    assert "secret detail" not in response.content.decode()


@pytest.mark.django_db
def test_static_files_are_served_with_debug_off(client: Client, settings) -> None:
    settings.DEBUG = False
    for path in ("/static/lexhub/lexhub.css", "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/css"), path


# 2. var/ is private


def modes_under(root: Path) -> dict[str, tuple[bool, int]]:
    """Every path under root (root itself as "."): whether it is a folder, and its permission bits."""
    modes = {".": (True, stat.S_IMODE(root.stat().st_mode))}
    for path in root.rglob("*"):
        info = path.lstat()
        modes[str(path.relative_to(root))] = (stat.S_ISDIR(info.st_mode), stat.S_IMODE(info.st_mode))
    return modes


def test_everything_lexhub_writes_under_var_is_private(tmp_path) -> None:
    var = tmp_path / "var"
    env = fresh_env(var)
    # A permissive umask in the caller: Lexhub must not depend on it.
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        umask=0o022,
    )
    assert migrate.returncode == 0, migrate.stderr
    # While a connection is open (-wal and -shm exist), with a cache entry and a stored file, list the modes.
    script = (
        "import json, os\n"
        "from django.conf import settings\n"
        "from django.core.cache import cache\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage\n"
        "from django.db import connection\n"
        "from django.contrib.auth.models import User\n"
        "User.objects.create_user('carol')\n"
        "cache.set('probe', 1)\n"
        "default_storage.save('files/1/receipt', ContentFile(b'%PDF-1.4'))\n"
        "from tests.security.test_hardening import modes_under\n"
        "print(json.dumps(modes_under(settings.VAR_DIR)))\n"
    )
    listed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        umask=0o022,
    )
    assert listed.returncode == 0, listed.stderr

    while_open = {name: tuple(entry) for name, entry in json.loads(listed.stdout.strip().splitlines()[-1]).items()}
    modes = {**modes_under(var), **while_open}  # -wal and -shm are gone once the last connection closed
    for name in (
        "secret_key",
        "field_encryption_key",
        "db.sqlite3",
        "db.sqlite3-wal",
        "db.sqlite3-shm",
        "cache",
        "broker/queue",
        "static",
        "media/files/1/receipt",
    ):
        assert name in modes, sorted(modes)
    assert any(name.startswith("cache/") for name in modes)  # the cache entry's file
    wrong = {name: oct(mode) for name, (is_dir, mode) in modes.items() if mode != (0o700 if is_dir else 0o600)}
    assert wrong == {}


def test_an_existing_open_var_folder_is_closed(tmp_path) -> None:
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=fresh_env(var),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(var.stat().st_mode) == 0o700


# 3. The webhook probe


@pytest.mark.django_db
def test_the_probe_answers_200_only_for_an_endpoint_that_exists(client: Client, own_connection) -> None:
    known = client.head(f"/webhooks/lexoffice/{own_connection.webhook_token}/")
    unknown = client.head("/webhooks/lexoffice/not-a-token/")
    guessed = client.head(f"/webhooks/lexoffice/{own_connection.webhook_token[:-1]}x/")

    assert known.status_code == 200
    assert (unknown.status_code, guessed.status_code) == (410, 410)  # what a delivery to them would get


@pytest.mark.django_db
def test_the_probe_for_a_deleted_connection_is_gone(client: Client, own_connection) -> None:
    url = f"/webhooks/lexoffice/{own_connection.webhook_token}/"
    own_connection.delete()

    assert client.head(url).status_code == 410
