import re

from playwright.sync_api import expect

from tests.e2e.helpers import drop_files
from tests.writes import files


def test_dropping_two_receipts_uploads_the_valid_one_and_rejects_the_other(logged_in_page, connection, sandbox) -> None:
    page = logged_in_page
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Receipts").click()
    expect(page.locator("#dropzone")).to_be_visible()
    expect(page.locator('input[type="file"][name="files"][multiple]')).to_be_attached()

    drop_files(
        page,
        "#dropzone",
        [
            ("beleg-tankstelle.pdf", "application/pdf", files.pdf("Tankstelle 42,00 EUR")),
            ("notizen.pdf", "application/pdf", b"Just some notes, renamed to look like a PDF.\n" * 20),
        ],
    )

    uploads = page.locator("li.upload")
    expect(uploads).to_have_count(2)
    valid = uploads.filter(has_text="beleg-tankstelle.pdf")
    rejected = uploads.filter(has_text="notizen.pdf")
    expect(valid).to_have_attribute("data-state", re.compile(r"^(uploaded|linked)$"))
    expect(valid.locator(".upload-error")).to_be_hidden()
    expect(rejected).to_have_attribute("data-state", "rejected")
    expect(rejected.locator(".upload-error")).to_be_visible()
    expect(rejected.locator(".upload-error")).to_contain_text("PDF")
    posted = [r for r in sandbox.requests_log() if r["method"] == "POST" and r["path"] == "/v1/files"]
    assert [r["status"] for r in posted] == [202]  # the text file never left Lexhub
