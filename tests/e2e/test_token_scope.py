"""The token page: a token for an assistant is read-only unless the person chooses read and write."""

import os

from knox.models import AuthToken
from playwright.sync_api import expect

from lexhub.token_scope import is_read_only


def test_a_token_made_on_the_page_is_read_only_unless_write_is_chosen(logged_in_page) -> None:
    page = logged_in_page
    page.goto("/accounts/tokens/")

    page.get_by_role("button", name="Create a token").click()
    first = page.get_by_label("New API token").input_value()
    expect(page.get_by_role("cell", name="only read", exact=True)).to_be_visible()
    page.get_by_label("The token may").select_option("write")
    page.get_by_role("button", name="Create a token").click()
    second = page.get_by_label("New API token").input_value()

    assert is_read_only(AuthToken.objects.get(token_key=first[:15]))
    assert not is_read_only(AuthToken.objects.get(token_key=second[:15]))
    expect(page.get_by_role("cell", name="read and write", exact=True)).to_be_visible()
    if path := os.environ.get("LEXHUB_SCREENSHOT"):  # for a person to look at the page
        page.screenshot(path=path, full_page=True)
