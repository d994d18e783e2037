"""The bookkeeper's UI in a real browser: German for a German browser, English for an English one, German
amounts and dates, totals that are the sum of the filtered rows, no sideways scrolling on a phone, and no
serious or critical accessibility violations (axe-core)."""

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.db.models import Count, Sum
from django.utils import translation
from playwright.sync_api import expect

from contacts.models import Contact
from tests.e2e.conftest import TIMEOUT_MS, login_cookie
from vouchers.labels import status_label as status_label_of
from vouchers.labels import type_label
from vouchers.models import BOOKKEEPING_TYPES, Voucher

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1200, "height": 800}


@pytest.fixture
def open_page(browser: "Browser", live_server, alice) -> Iterator[Callable[..., "Page"]]:
    """A logged-in page in a browser set to `locale`, at `viewport`."""
    contexts = []

    def make(locale: str, viewport: dict = DESKTOP) -> "Page":
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport=viewport,
            bypass_csp=True,  # axe is injected
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies([login_cookie(alice, live_server)])
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def german_money(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") + "\u00a0€"


def test_a_german_browser_gets_german_labels_amounts_dates_and_totals(open_page, synced) -> None:
    page = open_page("de-DE")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Belege", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Belege")

    common = (
        Voucher.objects.filter(connection=synced, voucher_type__in=BOOKKEEPING_TYPES, total_amount__isnull=False)
        .values("voucher_type", "voucher_status")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    kind, status = common["voucher_type"], common["voucher_status"]
    with translation.override("de"):
        kind_label, status_label = type_label(kind), status_label_of(status)
    page.get_by_label("Art").select_option(label=kind_label)
    page.get_by_label("Status").select_option(label=status_label)
    page.get_by_role("button", name="Filtern").click()

    rows = Voucher.objects.filter(connection=synced, voucher_type=kind, voucher_status=status)
    expected = rows.aggregate(gross=Sum("total_amount"), open=Sum("open_amount"))
    totals = page.get_by_test_id("totals")
    expect(totals).to_contain_text(f"{rows.count()} Belege" if rows.count() != 1 else "1 Beleg")
    expect(totals.get_by_test_id("total-gross")).to_have_text(german_money(expected["gross"] or Decimal(0)))
    expect(totals.get_by_test_id("total-open")).to_have_text(german_money(expected["open"] or Decimal(0)))
    cells = page.locator("tbody tr").first.locator("td")
    expect(cells.nth(0)).to_have_text(re.compile(r"^\d\d\.\d\d\.\d{4}$"))  # 04.11.2025
    expect(cells.nth(1)).to_have_text(kind_label)
    expect(cells.nth(4)).to_have_text(status_label)
    expect(cells.nth(5)).to_have_text(re.compile(r"^-?\d{1,3}(\.\d{3})*,\d\d\u00a0€$"))  # 1.234,56 €


def test_an_english_browser_gets_english_and_the_switch_changes_it(open_page, synced) -> None:
    page = open_page("en-US")
    page.goto("/invoices/?type=invoice")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Invoices and sales documents")
    rows = Voucher.objects.filter(connection=synced, voucher_type="invoice")
    gross = rows.aggregate(gross=Sum("total_amount"))["gross"]
    expect(page.get_by_test_id("total-gross")).to_have_text(f"€{gross:,.2f}")  # €1,234.56
    expect(page.locator("tbody tr").first.locator("td").nth(1)).to_have_text("Invoice")

    page.get_by_role("button", name="Deutsch").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Rechnungen und Verkaufsbelege")
    expect(page.get_by_test_id("total-gross")).to_have_text(german_money(gross))
    page.goto("/contacts/")  # remembered: the cookie beats the browser's English
    expect(page.get_by_role("heading", level=1)).to_have_text("Kontakte")


def main_pages(connection) -> list[str]:
    contact = Contact.objects.filter(connection=connection).order_by("pk").first()
    purchase = Voucher.objects.filter(connection=connection, voucher_type__in=BOOKKEEPING_TYPES).first()
    invoice = Voucher.objects.filter(connection=connection, voucher_type="invoice").exclude(voucher_status="draft")
    return [
        "/",
        "/contacts/",
        f"/contacts/{contact.pk}/",
        f"/contacts/{contact.pk}/edit/",
        "/contacts/new/",
        "/vouchers/",
        "/vouchers/new/",
        f"/vouchers/{purchase.pk}/",
        "/invoices/",
        f"/vouchers/{invoice.first().pk}/",
        "/receipts/",
        "/events/",
        "/connections/",
        "/audit/",
        "/accounts/tokens/",
    ]


def test_totals_that_outrun_the_page_arrive_after_it(open_page, synced, monkeypatch) -> None:
    """Over its budget the page comes with its rows and without totals; totals.js fetches them and puts them
    in place."""
    from django.db import connection as db

    from tests.conftest import require
    from vouchers import listing

    require(db.vendor == "postgresql", "the sum's budget is a PostgreSQL statement timeout")
    table = Voucher._meta.db_table
    columns = [f.column for f in Voucher._meta.concrete_fields if f.column not in ("id", "lexoffice_id")]
    with db.cursor() as cursor:  # the account's vouchers 3,000 times over: a sum that takes well over 1 ms
        cursor.execute(
            f"INSERT INTO {table} (lexoffice_id, {', '.join(columns)}) "
            f"SELECT gen_random_uuid(), {', '.join(columns)} FROM {table}, generate_series(1, 3000) "
            f"WHERE connection_id = %s",
            [synced.pk],
        )
    monkeypatch.setattr(listing, "PAGE_BUDGET_MS", 1)
    rows = Voucher.objects.present().filter(connection=synced, voucher_type__in=BOOKKEEPING_TYPES, currency="EUR")
    expected = rows.aggregate(n=Count("id"), gross=Sum("total_amount"))
    page = open_page("en-US")

    with page.expect_request(lambda request: "totals=wait" in request.url):
        page.goto("/vouchers/")

    totals = page.get_by_test_id("totals")
    expect(totals.get_by_test_id("total-gross")).to_have_text(f"€{expected['gross']:,.2f}")
    expect(totals).to_contain_text(f"{expected['n']:,} vouchers")
    expect(totals).not_to_have_attribute("aria-busy", "true")


def test_no_main_page_scrolls_sideways_on_a_phone(open_page, synced) -> None:
    page = open_page("de-DE", PHONE)
    wide = {}
    for path in main_pages(synced):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[path] = width
    assert not wide, f"pages wider than the phone's 390 px: {wide}"


def serious_violations(page: "Page") -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("locale", ["de-DE", "en-US"])
def test_the_main_pages_have_no_serious_accessibility_violations(open_page, synced, locale) -> None:
    page = open_page(locale)
    contact = Contact.objects.filter(connection=synced, is_company=True).order_by("pk").first()
    invoice = Voucher.objects.filter(connection=synced, voucher_type="invoice").exclude(voucher_status="draft").first()
    found = {}
    for path in ["/", "/contacts/", "/vouchers/", f"/vouchers/{invoice.pk}/", "/receipts/"]:
        page.goto(path)
        found[path] = serious_violations(page)
    # the contact form with errors: a company without its name
    page.goto(f"/contacts/{contact.pk}/edit/")
    page.locator("#id_company_name").fill("")
    page.locator("form.contact-form button[type=submit]").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    found["contact edit with errors"] = serious_violations(page)

    assert not {path: v for path, v in found.items() if v}
