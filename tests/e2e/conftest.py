"""Browser tests: Debian's Chromium driven by Playwright against a live Django server.

- `browser` (package): one headless Chromium for all tests here, the system binary (never a download);
  a missing browser fails CI through `require`. Package scope, not session: Playwright's sync API keeps
  an asyncio loop running on the main thread, which would make Django refuse ORM calls in later tests.
- `page`: a fresh browser context on pytest-django's `live_server` (same process, so it sees the test
  database and the `settings` fixture); on failure a screenshot goes to test-artifacts/.
- `logged_in_page`: the same, already logged in as `alice` (a session cookie made server-side; logging in
  through the form is tested once, in test_login.py).
- `synced`: alice's sandbox connection after a full sync, so lists and details have rows.
"""

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.conf import settings as django_settings
from django.test import Client

from connections.models import Connection
from harness.processes import ROOT
from tests.browser import chromium

if TYPE_CHECKING:  # a missing playwright should fail the browser tests, not every test's collection
    from playwright.sync_api import Browser, Page

ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 15_000  # the CI machine is shared; a condition still fails fast when it cannot become true


@pytest.fixture(scope="package")
def browser() -> Iterator["Browser"]:
    with chromium() as launched:
        yield launched


@pytest.fixture(autouse=True)
def browser_friendly_settings(settings) -> None:
    # Plain http on loopback: Secure cookies would be dropped by the browser.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Webhook registration after connecting has its own tests; here it would only add background noise.
    settings.LEXHUB_AUTO_REGISTER_WEBHOOKS = False


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: "Browser", live_server) -> Iterator["Page"]:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(
        base_url=live_server.url,
        accept_downloads=True,
        viewport={"width": 1200, "height": 800},
        locale="en-US",  # these tests read the English UI; German: test_german_ui.py
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    try:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()


def login_cookie(user, live_server) -> dict:
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": live_server.url}


@pytest.fixture
def logged_in_page(page: "Page", alice, live_server) -> "Page":
    page.context.add_cookies([login_cookie(alice, live_server)])
    return page


@pytest.fixture
def synced(connection: Connection) -> Connection:
    from connections.models import SyncRun
    from connections.sync import run_sync

    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    return connection
