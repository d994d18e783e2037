from django.conf import settings
from playwright.sync_api import expect

from contacts.models import Contact
from vouchers.models import Voucher


def test_searching_finds_a_contact_and_opens_it(logged_in_page, synced) -> None:
    contacts = list(Contact.objects.filter(connection=synced))
    contact = next(c for c in contacts if not any(c.name in other.name for other in contacts if other != c))
    page = logged_in_page
    page.goto("/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    expect(page.locator("tbody tr")).to_have_count(len(contacts))
    page.get_by_role("searchbox", name="Search").fill(contact.name)
    page.get_by_role("button", name="Search").click()

    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name=contact.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(contact.name)
    expect(page.get_by_role("link", name="Open in Lexoffice")).to_have_attribute(
        "href", f"{settings.LEXOFFICE_APP_URL}/permalink/contacts/view/{contact.lexoffice_id}"
    )


def test_an_invoice_pdf_downloads(logged_in_page, synced) -> None:
    invoice = Voucher.objects.filter(connection=synced, voucher_type="invoice").exclude(voucher_status="draft").first()
    page = logged_in_page
    page.goto("/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invoices", exact=True).click()
    page.get_by_role("link", name=invoice.voucher_number, exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()

    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as file:
        content = file.read()
    assert content.startswith(b"%PDF-")
    assert content.rstrip().endswith(b"%%EOF")
