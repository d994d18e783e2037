"""Outgoing webhooks in the browser: add an endpoint, see its secret once, watch a delivery in the log."""

import re

from playwright.sync_api import expect

from contacts.sync import push_contact
from outgoing.delivery import drain_endpoint
from outgoing.models import Endpoint
from tests.outgoing.conftest import Receiver
from tests.payloads import NEW_COMPANY


def test_an_endpoint_is_added_and_its_deliveries_are_logged(logged_in_page, connection, alice, settings) -> None:
    settings.LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    receiver = Receiver()
    receiver.start()
    try:
        page = logged_in_page
        page.goto("/")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Outgoing webhooks").click()
        page.get_by_label("URL", exact=True).fill(receiver.url)
        page.get_by_label("contact.*").check()
        page.get_by_role("button", name="Add endpoint").click()

        secret = page.locator("#secret").inner_text()
        assert re.fullmatch(r"whsec_[A-Za-z0-9+/=]{40,}", secret)
        receiver.secret = secret
        page.get_by_role("link", name="Continue").click()
        expect(page.get_by_role("cell", name="No deliveries yet.")).to_be_visible()

        push_contact(connection=connection, data=NEW_COMPANY, user=alice)
        drain_endpoint(Endpoint.objects.get().pk)
        page.reload()
        expect(page.get_by_role("cell", name=re.compile("contact.created"))).to_be_visible()
        expect(page.locator(".badge.ok")).to_have_text("Delivered")
        assert secret not in page.content()
        assert len(receiver.payloads("contact.created")) == 1

        page.get_by_role("button", name="Replay").click()
        expect(page.get_by_role("status").first).to_contain_text("will be sent again")
    finally:
        receiver.stop()
