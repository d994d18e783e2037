import pytest
from django.test import Client

from connections.models import SyncRun
from connections.sync import run_sync
from invoices.models import SalesDocument
from tests.fixtures.app import ENGLISH
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sync(connection) -> None:
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_xrechnung_invoice_offers_pdf_preview_and_xml(alice_client, connection, sandbox) -> None:
    created = sandbox.mutate("invoice", "create", fields={"electronicDocumentProfile": "XRechnung"})
    sync(connection)
    document = SalesDocument.objects.get(connection=connection, lexoffice_id=created["id"])

    html = alice_client.get(f"/vouchers/{document.voucher.pk}/").content.decode()
    xml = alice_client.get(f"/invoices/{document.pk}/xml/")
    preview = alice_client.get(f"/invoices/{document.pk}/pdf/?inline=1")

    assert f'href="/invoices/{document.pk}/pdf/">Download PDF</a>' in html
    assert f'href="/invoices/{document.pk}/xml/">Download XML (XRechnung)</a>' in html
    assert f'src="/invoices/{document.pk}/pdf/?inline=1"' in html
    assert xml.status_code == 200 and xml["Content-Disposition"].startswith("attachment")
    assert body(xml).lstrip(b"\xef\xbb\xbf").startswith(b"<?xml")
    assert preview["Content-Disposition"].startswith("inline") and preview["X-Frame-Options"] == "SAMEORIGIN"
    assert body(preview).startswith(b"%PDF-")


def test_a_document_the_sync_does_not_fetch_is_fetched_and_rendered_on_download(
    alice_client, connection, sandbox
) -> None:
    created = sandbox.mutate("creditnote", "create", fields={})
    sync(connection)
    voucher = Voucher.objects.get(connection=connection, lexoffice_id=created["id"])
    assert not SalesDocument.objects.filter(lexoffice_id=created["id"]).exists()

    html = alice_client.get(f"/vouchers/{voucher.pk}/").content.decode()
    response = alice_client.get(f"/invoices/by-voucher/{voucher.pk}/pdf/")

    assert f'href="/invoices/by-voucher/{voucher.pk}/pdf/">Download PDF</a>' in html
    assert response.status_code == 200 and body(response).startswith(b"%PDF-")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert SalesDocument.objects.get(lexoffice_id=created["id"]).document_file.is_local
    before = sandbox.counters()["requests"]
    assert body(alice_client.get(f"/invoices/by-voucher/{voucher.pk}/pdf/")).startswith(b"%PDF-")
    assert sandbox.counters()["requests"] == before  # kept locally after the first download


def test_drafts_and_plain_pdfs_have_no_document_to_download(alice_client, connection, sandbox) -> None:
    draft = sandbox.mutate("invoice", "create", fields={"voucherStatus": "draft"})
    plain = sandbox.mutate("invoice", "create", fields={"electronicDocumentProfile": "NONE"})
    sync(connection)
    draft_doc = SalesDocument.objects.get(lexoffice_id=draft["id"])
    plain_doc = SalesDocument.objects.get(lexoffice_id=plain["id"])

    refused = alice_client.get(f"/invoices/{draft_doc.pk}/pdf/")
    no_xml = alice_client.get(f"/invoices/{plain_doc.pk}/xml/")

    assert refused.status_code == 409 and "draft" in refused.content.decode()
    assert "Drafts have no document yet." in alice_client.get(f"/vouchers/{draft_doc.voucher.pk}/").content.decode()
    assert no_xml.status_code == 404 and "XRechnung" in no_xml.content.decode()


def test_other_users_get_404_for_documents(connection, sandbox, bob) -> None:
    created = sandbox.mutate("creditnote", "create", fields={})
    sync(connection)
    voucher = Voucher.objects.get(lexoffice_id=created["id"])
    client = Client(headers=ENGLISH)
    client.force_login(bob)
    before = sandbox.counters()["requests"]

    assert client.get(f"/invoices/by-voucher/{voucher.pk}/pdf/").status_code == 404
    assert sandbox.counters()["requests"] == before
