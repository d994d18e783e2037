import pytest
from django.test import Client

from connections.models import SyncRun
from connections.sync import run_sync
from contacts.models import Contact
from tests.fixtures.app import ENGLISH
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db


def test_contacts_are_listed_searched_and_shown(alice_client, synced) -> None:
    contact = Contact.objects.filter(connection=synced).first()

    listing = alice_client.get("/contacts/", {"q": contact.name[:6]}).content.decode()
    detail = alice_client.get(f"/contacts/{contact.pk}/").content.decode()

    assert contact.name in listing
    assert f"/permalink/contacts/view/{contact.lexoffice_id}" in detail


def test_vouchers_and_invoices_are_listed_filtered_and_shown(alice_client, synced) -> None:
    voucher = Voucher.objects.filter(connection=synced, voucher_type="purchaseinvoice").first()
    invoice = Voucher.objects.filter(connection=synced, voucher_type="invoice").first()

    vouchers = alice_client.get("/vouchers/", {"type": "purchaseinvoice"}).content.decode()
    invoices = alice_client.get("/invoices/").content.decode()
    detail = alice_client.get(f"/vouchers/{invoice.pk}/").content.decode()

    assert voucher.voucher_number in vouchers
    assert invoice.voucher_number not in vouchers
    assert invoice.voucher_number in invoices
    assert "Document" in detail


def test_pages_follow_the_cursor_without_repeats(
    alice_client, sandbox_server, alice, django_capture_on_commit_callbacks
) -> None:
    from connections.services import create_connection

    org = sandbox_server.new_org(vouchers=130, seed=4)
    with django_capture_on_commit_callbacks(execute=False):
        connection = create_connection(
            name="Paging", api_key=org.api_key, owner=alice, base_url=org.base_url, rate_limit=1000
        )
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    seen, url = [], "/vouchers/"
    for _ in range(5):
        response = alice_client.get(url)
        page = response.context["page"]
        seen += [v.pk for v in page.rows]
        if not page.next_cursor:
            break
        url = f"/vouchers/?after={page.next_cursor}"

    expected = Voucher.objects.filter(
        connection=connection,
        voucher_type__in=("salesinvoice", "salescreditnote", "purchaseinvoice", "purchasecreditnote"),
    ).count()
    assert len(seen) == len(set(seen)) == expected


def test_other_users_get_404(synced, bob) -> None:
    client = Client(headers=ENGLISH)
    client.force_login(bob)
    contact = Contact.objects.filter(connection=synced).first()
    voucher = Voucher.objects.filter(connection=synced).first()

    assert client.get(f"/contacts/{contact.pk}/").status_code == 404
    assert client.get(f"/vouchers/{voucher.pk}/").status_code == 404
    assert contact.name not in client.get("/contacts/").content.decode()


@pytest.mark.parametrize("path", ["/contacts/", "/vouchers/", "/invoices/"])
def test_list_queries_do_not_grow_with_rows(alice_client, synced, path, django_assert_max_num_queries) -> None:
    # session, user, connections subquery, page; the voucher lists' totals on PostgreSQL add their budget
    # (savepoint, SET LOCAL statement_timeout, the sum, rollback to the savepoint)
    with django_assert_max_num_queries(6 if path == "/contacts/" else 9):
        alice_client.get(path)


def test_an_invoice_pdf_is_downloaded_as_an_attachment(alice_client, synced, settings, tmp_path) -> None:
    from invoices.models import SalesDocument

    settings.MEDIA_ROOT = tmp_path
    document = SalesDocument.objects.filter(connection=synced).exclude(voucher_status="draft").first()
    if document is None:
        pytest.fail("the seeded account has no finalized invoice")

    response = alice_client.get(f"/invoices/{document.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
