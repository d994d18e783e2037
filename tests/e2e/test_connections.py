from playwright.sync_api import expect

from connections.models import Connection, SyncRun


def test_connecting_the_sandbox_verifies_the_key_and_starts_a_sync(logged_in_page, sandbox) -> None:
    page = logged_in_page
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Connections").click()
    page.get_by_role("link", name="Connect a Lexoffice account").click()

    page.get_by_label("Name").fill("Books")
    page.get_by_label("API key").fill(sandbox.api_key)
    page.get_by_label("Lexoffice address").select_option(sandbox.base_url)
    page.get_by_role("button", name="Verify and connect").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_role("status").first).to_contain_text("The first sync has started.")
    expect(page.get_by_role("heading", name="Books")).to_be_visible()
    assert sandbox.api_key not in page.content()
    connection = Connection.objects.get(name="Books")
    assert str(connection.organization_id) == sandbox.organization_id
    assert SyncRun.objects.filter(connection=connection, kind=SyncRun.Kind.FULL).exists()


def test_a_refused_key_is_reported_on_the_form(logged_in_page, sandbox) -> None:
    page = logged_in_page
    page.goto("/connections/new/")

    page.get_by_label("Name").fill("Books")
    page.get_by_label("API key").fill("not-a-valid-key-42")
    page.get_by_label("Lexoffice address").select_option(sandbox.base_url)
    page.get_by_role("button", name="Verify and connect").click()

    expect(page.locator(".errorlist")).to_contain_text("did not accept this API key")
    expect(page.get_by_label("API key")).to_have_value("")
    assert not Connection.objects.exists()
