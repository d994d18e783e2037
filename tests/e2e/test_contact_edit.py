from playwright.sync_api import expect

from contacts.models import Contact


def company_contact(connection) -> Contact:
    return Contact.objects.filter(connection=connection, is_company=True).order_by("pk").first()


def test_an_edit_is_saved_in_lexoffice(logged_in_page, synced, sandbox) -> None:
    contact = company_contact(synced)
    version_before = sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()["version"]
    page = logged_in_page
    page.goto(f"/contacts/{contact.pk}/")

    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_label("Company name", exact=True)).to_have_value(contact.name)
    page.get_by_label("Company name", exact=True).fill("Umbenannt im Browser GmbH")
    page.get_by_label("Note", exact=True).fill("Edited in Lexhub")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status").first).to_contain_text("Saved in Lexoffice.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Umbenannt im Browser GmbH")
    remote = sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()
    assert remote["company"]["name"] == "Umbenannt im Browser GmbH"
    assert remote["note"] == "Edited in Lexhub"
    assert remote["version"] == version_before + 1


def test_a_conflicting_edit_shows_both_versions_and_applies_mine(logged_in_page, synced, sandbox) -> None:
    contact = company_contact(synced)
    page = logged_in_page
    page.goto(f"/contacts/{contact.pk}/edit/")
    expect(page.locator('input[name="version"]')).to_have_value(str(contact.version))
    # Meanwhile someone edits the same field in the Lexoffice web app, and one the user leaves alone.
    remote = sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()
    sandbox.mutate(
        "contact",
        "change",
        str(contact.lexoffice_id),
        {"note": "Changed in Lexoffice", "company": {**remote["company"], "name": "Upstream GmbH"}},
    )

    page.get_by_label("Note", exact=True).fill("Changed in Lexhub")
    with page.expect_response(lambda r: r.request.method == "POST") as response_info:
        page.get_by_role("button", name="Save").click()

    assert response_info.value.status == 409
    expect(page.get_by_role("heading", level=1)).to_contain_text("Conflict")
    table = page.locator("table.conflict")
    expect(table.locator("thead th")).to_have_text(["Field", "Your edit", "Current in Lexoffice"])
    note_row = table.locator("tbody tr").filter(has=page.get_by_role("rowheader", name="Note", exact=True))
    expect(note_row.locator("td")).to_have_text(["Changed in Lexhub", "Changed in Lexoffice"])
    expect(page.get_by_role("link", name="Discard my edit")).to_be_visible()
    assert sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()["note"] == "Changed in Lexoffice"

    page.get_by_role("button", name="Apply my edit to the current version").click()

    expect(page.get_by_role("status").first).to_contain_text("Saved in Lexoffice.")
    after = sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()
    assert after["note"] == "Changed in Lexhub"
    assert after["company"]["name"] == "Upstream GmbH"  # the change the user did not touch survives
    assert after["version"] == remote["version"] + 2
