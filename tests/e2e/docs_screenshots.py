"""README screenshots, regenerated on demand (not part of `make test`; the file name keeps it uncollected):

    LEXHUB_VAR_DIR=var/screenshots .venv/bin/python -m pytest tests/e2e/docs_screenshots.py

Writes docs/screenshots/{dashboard,contact-edit,receipts,vouchers,vouchers-phone}.png from a synced sandbox
account, in the German UI (a browser set to de-DE).
"""

import pytest
from playwright.sync_api import expect

from connections.models import Connection, SyncRun
from contacts.models import Contact
from harness.processes import ROOT
from tests.e2e.conftest import login_cookie
from tests.e2e.helpers import drop_files
from tests.writes import files

OUT = ROOT / "docs" / "screenshots"


@pytest.fixture
def logged_in_page(browser, live_server, alice):
    context = browser.new_context(base_url=live_server.url, locale="de-DE", viewport={"width": 1100, "height": 720})
    context.add_cookies([login_cookie(alice, live_server)])
    yield context.new_page()
    context.close()


def shoot(page, name: str, height: int = 720) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1100, "height": height})
    page.screenshot(path=str(OUT / f"{name}.png"))


def test_dashboard(logged_in_page, synced) -> None:
    # A run in progress, as the dashboard shows it while a sync is going; the budget a real key gets.
    Connection.objects.filter(pk=synced.pk).update(rate_limit=2)
    SyncRun.objects.create(
        connection=synced,
        kind=SyncRun.Kind.INCREMENTAL,
        state=SyncRun.State.RUNNING,
        phase="vouchers",
        done=37,
        total=80,
        requests=41,
    )
    page = logged_in_page
    page.goto("/")
    expect(page.locator(".sync-progress [data-field='state']")).to_have_text("Läuft")
    shoot(page, "dashboard")


def test_contact_edit_form(logged_in_page, synced) -> None:
    contact = Contact.objects.filter(connection=synced, is_company=True).order_by("pk").first()
    page = logged_in_page
    page.goto(f"/contacts/{contact.pk}/edit/")
    expect(page.get_by_label("Firmenname", exact=True)).to_have_value(contact.name)
    shoot(page, "contact-edit", height=900)


def test_receipts_inbox(logged_in_page, synced) -> None:
    page = logged_in_page
    page.goto("/receipts/")
    drop_files(
        page,
        "#dropzone",
        [
            ("tankbeleg-2026-03.pdf", "application/pdf", files.pdf("Tankstelle 42,00 EUR")),
            ("bewirtung-hamburg.png", "image/png", files.png(64, 64, seed=3)),
            ("notizen.pdf", "application/pdf", b"Just notes, renamed to look like a PDF.\n" * 20),
        ],
    )
    expect(page.locator("li.upload[data-state='rejected']")).to_have_count(1)
    expect(page.locator("li.upload:is([data-state='uploaded'], [data-state='linked'])")).to_have_count(2)
    shoot(page, "receipts")


def test_vouchers(logged_in_page, synced) -> None:
    page = logged_in_page
    page.goto("/vouchers/")
    expect(page.get_by_test_id("totals")).to_be_visible()
    shoot(page, "vouchers", height=900)


def test_vouchers_on_a_phone(logged_in_page, synced) -> None:
    page = logged_in_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/vouchers/")
    expect(page.get_by_test_id("totals")).to_be_visible()
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / "vouchers-phone.png"))
