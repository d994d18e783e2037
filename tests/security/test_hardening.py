"""Hardening: make run without DEBUG, Lexhub's own error pages, files shown inline only when safe, private var/,
the webhook probe, and a CSP that lets only the pages that frame documents frame anything."""

import json
import os
import re
import stat
import subprocess
import sys
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.test import Client, RequestFactory

from connections.models import Connection, SyncRun
from connections.sync import run_sync
from harness.processes import ROOT
from tests.writes import files
from vouchers.models import File
from web.csp import CONTENT_SECURITY_POLICY, FRAMING_CONTENT_SECURITY_POLICY

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


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def own_connection(alice) -> Connection:
    """alice's connection without a Lexoffice behind it: enough for files already stored locally."""
    connection = Connection(name="Local", owner=alice)
    connection.set_api_key("not-used")
    connection.save()
    return connection


def stored_file(connection: Connection, content: bytes, *, content_type: str, filename: str) -> File:
    file = File(
        connection=connection,
        lexoffice_id=uuid.uuid4(),
        filename=filename,
        content_type=content_type,
        size=len(content),
    )
    file.content.save(str(file.lexoffice_id), ContentFile(content), save=False)
    file.save()
    return file


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
        assert "<h1>Page not found</h1>" in html and "lexhub/lexhub.css" in html
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


def test_the_500_page_needs_neither_the_request_nor_the_database() -> None:
    from django.views.defaults import server_error

    request = RequestFactory().get("/")  # no user, no session; no django_db mark, so a query would fail the test
    response = server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Server error</h1>" in html and "lexhub/lexhub.css" in html and 'class="topbar"' in html


@pytest.mark.django_db
def test_a_crash_with_debug_off_shows_lexhubs_500_page(alice, settings) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    with mock.patch("lexhub.views.render", side_effect=RuntimeError("secret detail")):
        response = client.get("/")

    assert response.status_code == 500
    assert "<h1>Server error</h1>" in response.content.decode()
    assert "secret detail" not in response.content.decode()


@pytest.mark.django_db
def test_static_files_are_served_with_debug_off(client: Client, settings) -> None:
    settings.DEBUG = False
    for path in ("/static/lexhub/lexhub.css", "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/css"), path


# 2. Files inline only when their bytes are PDF, PNG or JPEG


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "stated", "expected"),
    [
        (files.pdf("Beleg"), "application/pdf", "application/pdf"),
        (files.png(), "image/png", "image/png"),
        (files.jpeg(), "image/jpeg", "image/jpeg"),
        (files.png(), "application/octet-stream", "image/png"),  # the bytes decide, not the stated type
    ],
    ids=["pdf", "png", "jpeg", "png-stated-as-octet-stream"],
)
def test_a_checked_image_or_pdf_is_shown_inline_in_a_sandbox(
    alice_client, own_connection, media, content, stated, expected
) -> None:
    file = stored_file(own_connection, content, content_type=stated, filename="beleg")

    response = alice_client.get(f"/vouchers/files/{file.pk}/?inline=1")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Type"] == expected
    assert response["Content-Security-Policy"].startswith("default-src 'none'; sandbox")
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "stated"),
    [
        (b"<html><script>alert(document.cookie)</script></html>", "text/html"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
        (b"<html><script>alert(1)</script></html>", "application/pdf"),  # a lie about the type
        (b"<?xml version='1.0'?><Invoice/>", "application/xml"),
    ],
    ids=["html", "svg", "html-stated-as-pdf", "xml"],
)
def test_anything_else_is_an_opaque_attachment_even_when_asked_inline(
    alice_client, own_connection, media, content, stated
) -> None:
    file = stored_file(own_connection, content, content_type=stated, filename="page.html")

    for query in ("?inline=1", ""):
        response = alice_client.get(f"/vouchers/files/{file.pk}/{query}")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Security-Policy"].startswith("default-src 'none'; sandbox")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert body(response) == content


@pytest.mark.django_db
def test_a_pdf_without_inline_is_a_download(alice_client, own_connection, media) -> None:
    file = stored_file(own_connection, files.pdf(), content_type="application/pdf", filename="beleg.pdf")

    response = alice_client.get(f"/vouchers/files/{file.pk}/")

    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_invoice_preview_and_its_page_use_the_same_rules(alice_client, connection, sandbox, media) -> None:
    created = sandbox.mutate("invoice", "create", fields={"electronicDocumentProfile": "XRechnung"})
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    from invoices.models import SalesDocument

    document = SalesDocument.objects.get(connection=connection, lexoffice_id=created["id"])

    page = alice_client.get(f"/vouchers/{document.voucher.pk}/")
    preview = alice_client.get(f"/invoices/{document.pk}/pdf/?inline=1")
    xml = alice_client.get(f"/invoices/{document.pk}/xml/?inline=1")

    assert f'<iframe class="preview" title="Invoice preview" src="/invoices/{document.pk}/pdf/?inline=1"' in (
        page.content.decode()
    )
    assert page["Content-Security-Policy"] == FRAMING_CONTENT_SECURITY_POLICY
    assert preview["Content-Disposition"].startswith("inline") and preview["Content-Type"] == "application/pdf"
    assert preview["Content-Security-Policy"] == "default-src 'none'; sandbox; frame-ancestors 'self'"
    assert preview["X-Frame-Options"] == "SAMEORIGIN" and preview["X-Content-Type-Options"] == "nosniff"
    assert xml["Content-Disposition"].startswith("attachment")
    assert xml["Content-Type"] == "application/octet-stream"


# 3. var/ is private


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


# 4. The webhook probe


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


# 5. CSP per page type


@pytest.mark.django_db
def test_pages_that_frame_nothing_allow_no_frames_or_plugins(alice_client: Client, synced) -> None:
    from vouchers.models import Voucher

    receipt = Voucher.objects.filter(connection=synced, sales_document__isnull=True).first()
    paths = [
        "/",
        "/contacts/",
        "/vouchers/",
        "/invoices/",
        "/receipts/",
        "/connections/",
        "/audit/",
        "/events/",
        f"/vouchers/{receipt.pk}/" if receipt else "/",
    ]
    for path in paths:
        response = alice_client.get(path)
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        if path.startswith("/vouchers/") and path != "/vouchers/":
            assert policy == FRAMING_CONTENT_SECURITY_POLICY, path  # the detail page may preview a document
        else:
            assert policy == CONTENT_SECURITY_POLICY, path
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy, path
    login = Client().get("/accounts/login/")
    assert "frame-src 'none'" in login["Content-Security-Policy"]
    assert "object-src 'none'" in login["Content-Security-Policy"]


def test_the_policies_differ_only_in_frame_src() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    framing = dict(part.strip().split(" ", 1) for part in FRAMING_CONTENT_SECURITY_POLICY.split(";"))

    assert (directives["frame-src"], directives["object-src"]) == ("'none'", "'none'")
    assert (framing["frame-src"], framing["object-src"]) == ("'self'", "'none'")
    assert {k: v for k, v in framing.items() if k != "frame-src"} == {
        k: v for k, v in directives.items() if k != "frame-src"
    }


@pytest.mark.django_db
def test_the_api_docs_keep_their_style_hash_and_allow_no_frames(client: Client) -> None:
    policy = client.get("/api/docs/")["Content-Security-Policy"]

    assert "'sha256-" in policy
    assert "frame-src 'none'" in policy and "object-src 'none'" in policy


def test_only_the_voucher_page_embeds_frames_or_plugins() -> None:
    """A template that gains an <iframe>, <object> or <embed> needs its view wrapped in frames_own_documents
    (or a wider policy of its own); this list says which ones do."""
    templates = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]  # project's, apps'
    embedding = sorted(
        str(path.relative_to(ROOT))
        for path in templates
        if re.search(r"<(iframe|object|embed)\b", path.read_text(), re.IGNORECASE)
    )

    assert embedding == ["templates/vouchers/detail.html"]


PDF_VIEWER_TOOLBAR = """() => {
    const viewer = document.querySelector('pdf-viewer');
    const toolbar = viewer && viewer.shadowRoot && viewer.shadowRoot.querySelector('viewer-toolbar');
    return toolbar && toolbar.shadowRoot ? toolbar.shadowRoot.textContent : '';
}"""


@pytest.mark.django_db(transaction=True)
def test_chromium_still_previews_the_sandboxed_pdf_in_the_voucher_page(
    live_server, alice, connection, sandbox, media
) -> None:
    from invoices.models import SalesDocument
    from tests.browser import chromium

    created = sandbox.mutate("invoice", "create", fields={})
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    document = SalesDocument.objects.get(connection=connection, lexoffice_id=created["id"])
    client = Client()
    client.force_login(alice)
    with chromium() as browser:
        context = browser.new_context(base_url=live_server.url)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(f"/vouchers/{document.voucher.pk}/")

        toolbar = ""
        for _ in range(100):  # Chromium's viewer runs in an extension frame inside the preview's frame
            viewers = [frame for frame in page.frames if frame.url.startswith("chrome-extension://")]
            toolbar = viewers[0].evaluate(PDF_VIEWER_TOOLBAR) if viewers else ""
            if ".pdf" in toolbar:
                break
            page.wait_for_timeout(150)
        context.close()

    assert ".pdf" in toolbar  # the viewer opened the document (it names the file in its toolbar)
    assert [text for text in console if "Content Security Policy" in text or "blocked" in text.lower()] == []
