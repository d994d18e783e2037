"""A receipt from the drop zone to an open voucher in Lexoffice, completed in Lexhub beside its preview."""

import re

from playwright.sync_api import expect

from tests.e2e.helpers import drop_files
from tests.writes import files
from vouchers.models import Upload


def test_an_uploaded_receipt_is_completed_and_is_open_in_lexoffice_with_its_file(
    logged_in_page, connection, sandbox
) -> None:
    page = logged_in_page
    page.goto("/receipts/")
    drop_files(page, "#dropzone", [("tankbeleg.pdf", "application/pdf", files.pdf("Tankstelle 59,50 EUR"))])
    expect(page.locator("li.upload").first).to_have_attribute("data-state", re.compile(r"^(uploaded|linked)$"))
    voucher = Upload.objects.get().voucher
    assert voucher is not None

    page.get_by_role("link", name="Receipts to complete").click()
    page.locator(f'tr[data-voucher="{voucher.pk}"]').get_by_role("link", name="Complete").click()
    expect(page.get_by_role("heading", name="Complete a receipt")).to_be_visible()
    page.get_by_label("Voucher number (Belegnummer)").fill("TK-4711")
    page.get_by_label("Voucher date (Belegdatum)").fill("2026-11-28")
    page.get_by_label("Supplier or customer name").fill("Tankstelle Musterstadt")
    page.get_by_label("Gross amount at 19 %").fill("59.50")
    page.get_by_label("Posting category at 19 %").select_option(label="Fremdleistungen")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".badge")).to_have_text("Open")  # the status in words (vouchers/labels.py)
    remote = sandbox.api("GET", f"/v1/vouchers/{voucher.lexoffice_id}").json()
    assert (remote["voucherStatus"], remote["voucherNumber"], remote["voucherDate"][:10]) == (
        "open",
        "TK-4711",
        "2026-11-28",
    )
    assert (remote["totalGrossAmount"], remote["totalTaxAmount"], remote["contactName"]) == (
        59.5,
        9.5,
        "Tankstelle Musterstadt",
    )
    assert remote["files"] and remote["files"] == voucher.file_ids
