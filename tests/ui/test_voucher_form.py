import pytest

from connections.models import SyncRun
from connections.sync import run_sync
from contacts.models import Contact
from tests.ui.pages import field_errors, fields_with_errors, labels
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db
CATEGORY = "16d04a28-9d3d-4a83-a0f4-5ef6b1b3c2a1"


def voucher_post(items: list[tuple[str, str, str]], **fields) -> dict:
    data = {
        "type": "purchaseinvoice",
        "voucher_status": "open",
        "voucher_number": "ER-UI-1",
        "voucher_date": "2026-03-01",
        "tax_type": "gross",
        "use_collective": "on",
        "items-TOTAL_FORMS": str(max(3, len(items))),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
    }
    for index, (amount, rate, tax) in enumerate(items):
        data |= {
            f"items-{index}-amount": amount,
            f"items-{index}-tax_rate": rate,
            f"items-{index}-tax_amount": tax,
            f"items-{index}-category": CATEGORY,
        }
    for index in range(len(items), 3):
        data[f"items-{index}-tax_rate"] = "19"  # untouched extra rows, as a browser sends them
    return {key: value for key, value in (data | fields).items() if value is not None}


def test_the_form_offers_items_totals_and_categories(alice_client, connection) -> None:
    html = alice_client.get("/vouchers/new/").content.decode()

    found = labels(html)
    assert {"Voucher type", "Total gross amount", "Total tax amount", "Contact (number or exact name)"} <= set(found)
    assert 'name="items-0-amount"' in html and 'id="voucher-item-template"' in html
    assert '<datalist id="categories">' in html
    assert 'href="/vouchers/new/"' in alice_client.get("/vouchers/").content.decode()


def test_a_voucher_with_items_is_created_and_empty_totals_are_the_items_sum(alice_client, connection, sandbox) -> None:
    response = alice_client.post(
        "/vouchers/new/", voucher_post([("119.00", "19", "19.00"), ("107", "7", "7")]), follow=True
    )

    voucher = Voucher.objects.get(connection=connection, voucher_number="ER-UI-1")
    remote = sandbox.api("GET", f"/v1/vouchers/{voucher.lexoffice_id}").json()
    assert response.redirect_chain[-1][0] == f"/vouchers/{voucher.pk}/"
    assert "Saved in Lexoffice." in response.content.decode()
    assert (remote["totalGrossAmount"], remote["totalTaxAmount"]) == (226, 26)
    assert [item["taxRatePercent"] for item in remote["voucherItems"]] == [19, 7]
    assert remote["useCollectiveContact"] is True


def test_totals_that_do_not_match_the_items_are_refused_on_their_fields(alice_client, connection, sandbox) -> None:
    before = sandbox.counters()["requests"]

    response = alice_client.post(
        "/vouchers/new/", voucher_post([("119.00", "19", "19.00")], total_gross="120.00", total_tax="19.00")
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert fields_with_errors(html) == {"total_gross"}
    assert "119.00" in field_errors(html, "total_gross")[0]
    assert sandbox.counters()["requests"] == before


def test_an_item_error_shows_on_its_row(alice_client, connection, sandbox) -> None:
    response = alice_client.post("/vouchers/new/", voucher_post([("119.00", "19", "19.00"), ("100", "7", "9")]))

    html = response.content.decode()
    assert response.status_code == 400
    assert fields_with_errors(html) == {"items-1-tax_amount"}


def test_a_contact_is_found_by_its_number(alice_client, connection, sandbox) -> None:
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    contact = (
        Contact.objects.filter(connection=connection, vendor_number__isnull=False).first()
        or Contact.objects.filter(connection=connection, customer_number__isnull=False).first()
    )
    number = contact.vendor_number or contact.customer_number

    response = alice_client.post(
        "/vouchers/new/",
        voucher_post([("50", "19", "7.98")], use_collective=None, contact=str(number), voucher_number="ER-UI-2"),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    voucher = Voucher.objects.get(connection=connection, voucher_number="ER-UI-2")
    assert voucher.details["contactId"] == str(contact.lexoffice_id)
    unknown = alice_client.post(
        "/vouchers/new/", voucher_post([("50", "19", "7.98")], use_collective=None, contact="Niemand GmbH")
    )
    assert fields_with_errors(unknown.content.decode()) == {"contact"}


def test_lexoffice_refusals_land_on_their_fields(alice_client, connection, sandbox) -> None:
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    contact = Contact.objects.filter(connection=connection).first()
    sandbox.mutate("contact", "delete", str(contact.lexoffice_id))  # gone upstream, still in the mirror

    response = alice_client.post(
        "/vouchers/new/", voucher_post([("119.00", "19", "19.00")], use_collective=None, contact=contact.name)
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert fields_with_errors(html) == {"contact"}
    assert field_errors(html, "contact") == ["Lexoffice does not accept this value."]
    assert any(r["method"] == "POST" and r["path"].startswith("/v1/vouchers") for r in sandbox.requests_log())


def test_a_contact_page_starts_a_voucher_for_that_contact(alice_client, connection, sandbox) -> None:
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    contact = Contact.objects.filter(connection=connection, vendor_number__isnull=False).first()

    html = alice_client.get(f"/contacts/{contact.pk}/").content.decode()
    form = alice_client.get(f"/vouchers/new/?contact={contact.vendor_number}").content.decode()

    assert f'href="/vouchers/new/?contact={contact.vendor_number}">Record a voucher</a>' in html
    assert f'name="contact" value="{contact.vendor_number}"' in form
