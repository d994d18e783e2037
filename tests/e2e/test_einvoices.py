"""An XRechnung XML and a ZUGFeRD PDF dropped on the receipts inbox: each read as an invoice with its findings,
the XML downloaded byte for byte, and the receipt completed from the pre-filled form."""

import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page, expect

from harness.einvoice_xml import cii, ubl
from harness.einvoices import LineSpec, Sample, zugferd_pdf
from tests.e2e.helpers import drop_files

PURCHASE_CATEGORY = "8f8664a5-fd86-11e1-a21f-0800200c9a66"  # Bürobedarf (outgo) in the sandbox


def open_einvoice(page: Page, number: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="E-invoices").click()
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)


def downloaded(page: Page) -> bytes:
    with page.expect_download() as info:
        page.locator("#download-xml").click()
    return Path(info.value.path()).read_bytes()


def test_dropped_einvoices_are_readable_checked_downloadable_and_bookable(logged_in_page, connection, sandbox) -> None:
    sandbox.configure(eInvoice=True)
    xrechnung = ubl(
        Sample(
            number="XR-2026-17",
            buyer_reference="",  # XRechnung's BR-DE-15 finding
            lines=(
                LineSpec("Wartung Heizung", Decimal("3.5"), Decimal("68.00"), unit="HUR"),
                LineSpec("Dichtungssatz", Decimal("2"), Decimal("12.90")),
            ),
        )
    )
    zugferd_xml = cii(Sample(number="ZF-2026-3", profile="en16931", buyer_reference=""))
    pdf = zugferd_pdf(zugferd_xml)
    page = logged_in_page
    page.goto("/receipts/")

    drop_files(
        page,
        "#dropzone",
        [
            ("xrechnung.xml", "application/xml", xrechnung),
            ("zugferd.pdf", "application/pdf", pdf),
        ],
    )
    uploads = page.locator("li.upload")
    expect(uploads).to_have_count(2)
    for name in ("xrechnung.xml", "zugferd.pdf"):
        expect(uploads.filter(has_text=name)).to_have_attribute("data-state", re.compile(r"^(uploaded|linked)$"))

    open_einvoice(page, "XR-2026-17")
    expect(page.get_by_text("Wartung Heizung")).to_be_visible()
    expect(page.locator("[data-valid]")).to_have_attribute("data-valid", "false")
    expect(page.locator(".findings li.error")).to_contain_text("BR-DE-15")
    expect(page.locator("[data-amount-due]")).to_contain_text("313")  # 3.5 h x 68 + 2 x 12.90 = 263.80 net
    assert downloaded(page) == xrechnung

    open_einvoice(page, "ZF-2026-3")
    expect(page.get_by_text("ZUGFeRD EN 16931")).to_be_visible()
    expect(page.locator("[data-valid]")).to_have_attribute("data-valid", "true")
    assert downloaded(page) == zugferd_xml
    original = page.request.get(page.get_by_role("link", name="Open the PDF").get_attribute("href"))
    assert original.headers["content-type"] == "application/pdf" and original.body() == pdf

    page.get_by_role("link", name="Complete the receipt from this e-invoice").click()
    expect(page.locator('input[name="voucher_number"]')).to_have_value("ZF-2026-3")
    expect(page.locator('input[name="items-0-amount"]')).to_have_value("360.00")
    expect(page.locator('input[name="items-0-tax_amount"]')).to_have_value("68.40")
    page.locator('input[name="items-0-category"]').fill(PURCHASE_CATEGORY)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved in Lexoffice.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ZF-2026-3")
