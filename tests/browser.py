"""Debian's Chromium driven by Playwright, for the browser tests and the API docs test.

Playwright's sync API keeps an asyncio loop running on this thread while it lives; Django refuses ORM calls
from such a thread unless DJANGO_ALLOW_ASYNC_UNSAFE is set, so it is set only while a browser is open (fixtures
using this keep a package or module scope, never the session's, or every later test would run with it).
"""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tests.conftest import require

if TYPE_CHECKING:  # a missing playwright should fail the browser tests, not every test's collection
    from playwright.sync_api import Browser


def chromium_path() -> str:
    """The system binary (never a download); a missing browser fails CI through `require`."""
    path = shutil.which("chromium")
    require(path is not None, "Chromium is not installed (apt-get install chromium)")
    return path


@contextmanager
def chromium() -> Iterator["Browser"]:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
