from playwright.sync_api import expect


def test_a_sync_shows_live_progress_until_100_percent(logged_in_page, connection, sandbox, celery_worker) -> None:
    # Each Lexoffice call takes a little while, so the run is still going when the page first renders.
    sandbox.set_faults([{"path": "^/v1/", "kind": "latency", "latencyMs": 200}])
    page = logged_in_page
    page.goto("/")
    expect(page.get_by_test_id("contacts-count")).to_have_text("0")

    page.get_by_role("button", name="Full sync").click()

    progress = page.locator(".sync-progress")
    expect(page.get_by_role("status").first).to_contain_text("Sync started (Full).")
    expect(progress).to_be_visible()
    assert int(progress.locator('[data-field="percent"]').inner_text()) < 100
    expect(progress.locator('[data-field="state"]')).to_have_text("Running")  # polled: the label, not the code
    expect(progress).to_have_attribute("data-state", "succeeded", timeout=60_000)
    expect(progress.locator('[data-field="percent"]')).to_have_text("100")
    expect(progress.locator("progress")).to_have_js_property("value", 100)
    assert int(progress.locator('[data-field="requests"]').inner_text()) > 0
    assert progress.locator('[data-field="errors"]').inner_text() == "0"

    page.reload()
    expect(page.get_by_test_id("contacts-count")).to_have_text("5")
