"""README screenshots, regenerated on demand (not part of `make test`; the file name keeps it uncollected):

    LEXHUB_VAR_DIR=var/screenshots .venv/bin/python -m pytest tests/e2e/docs_screenshots.py

Writes docs/screenshots/{dashboard,contact-edit,receipts}.png from a synced sandbox account.
"""

from playwright.sync_api import expect

from connections.models import Connection, SyncRun
from contacts.models import Contact
from harness.processes import ROOT
from tests.e2e.helpers import drop_files
from tests.writes import files

OUT = ROOT / "docs" / "screenshots"


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
    expect(page.locator(".sync-progress [data-field='state']")).to_have_text("running")
    shoot(page, "dashboard")


def test_contact_edit_form(logged_in_page, synced) -> None:
    contact = Contact.objects.filter(connection=synced, is_company=True).order_by("pk").first()
    page = logged_in_page
    page.goto(f"/contacts/{contact.pk}/edit/")
    expect(page.get_by_label("Company name", exact=True)).to_have_value(contact.name)
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
