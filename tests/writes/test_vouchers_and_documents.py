import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from connections.models import SyncRun
from connections.sync import run_sync
from connections.writes import WriteError, WriteQueued
from invoices.models import SalesDocument
from invoices.sync import ensure_document_file, refresh_sales_document
from tests.payloads import PURCHASE_VOUCHER
from tests.writes import files
from vouchers.models import Upload, Voucher
from vouchers.receipts.sync import attach_voucher_file
from vouchers.sync import ensure_local_file, push_voucher

pytestmark = pytest.mark.django_db

VOUCHER = PURCHASE_VOUCHER


def test_a_voucher_is_created_and_mirrored(connection, sandbox, alice) -> None:
    voucher = push_voucher(connection=connection, data=VOUCHER, user=alice)

    assert voucher.details == sandbox.api("GET", f"/v1/vouchers/{voucher.lexoffice_id}").json()
    assert (voucher.voucher_number, str(voucher.total_amount)) == ("ER-2026-1", "226.00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"totalGrossAmount": 200.0}, "totalGrossAmount"),
        ({"voucherItems": [{**VOUCHER["voucherItems"][0], "taxAmount": 5.0}]}, "voucherItems[0].taxAmount"),
        ({"voucherStatus": "paid"}, "voucherStatus"),
        ({"voucherStatus": "unchecked", "taxType": "net"}, "taxType"),
        ({"voucherDate": "01.03.2026"}, "voucherDate"),
        ({"useCollectiveContact": False}, "contactId"),
        ({"voucherItems": [{**VOUCHER["voucherItems"][0], "taxRatePercent": 20}]}, "voucherItems[0].taxRatePercent"),
    ],
)
def test_voucher_rules_are_checked_before_a_request(connection, sandbox, alice, change, field) -> None:
    before = sandbox.counters()["requests"]

    with pytest.raises(WriteError) as refused:
        push_voucher(connection=connection, data={**VOUCHER, **change}, user=alice)

    assert field in refused.value.field_errors
    assert sandbox.counters()["requests"] == before


def test_lexoffice_refusals_of_vouchers_come_back_on_their_fields(connection, sandbox, alice) -> None:
    data = {**VOUCHER, "useCollectiveContact": False, "contactId": "00000000-0000-4000-8000-000000000000"}

    with pytest.raises(WriteError) as refused:
        push_voucher(connection=connection, data=data, user=alice)

    assert refused.value.status == 400
    assert "contactId" in refused.value.field_errors


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_write_lexoffice_cannot_take_now_is_queued(connection, sandbox, alice, status) -> None:
    sandbox.set_faults([{"path": "^/v1/vouchers$", "method": "POST", "kind": "status", "status": status}])

    with pytest.raises(WriteQueued) as queued:
        push_voucher(connection=connection, data=VOUCHER, user=alice)

    assert queued.value.entry.state == "pending"
    assert queued.value.status == 202


def test_a_file_is_attached_to_a_voucher(synced, sandbox, alice, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    voucher = Voucher.objects.filter(connection=synced, voucher_type="purchaseinvoice").first()

    upload = attach_voucher_file(
        voucher=voucher, upload=SimpleUploadedFile("beleg.pdf", files.pdf("anhang")), user=alice
    )

    assert upload.state in (Upload.State.UPLOADED, Upload.State.LINKED)
    remote = sandbox.api("GET", f"/v1/vouchers/{voucher.lexoffice_id}").json()
    assert str(upload.file.lexoffice_id) in remote["files"]
    voucher.refresh_from_db()
    assert voucher.details["files"] == remote["files"]


def test_a_voucher_file_is_downloaded_once_and_kept(synced, sandbox, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    voucher = next(v for v in Voucher.objects.filter(connection=synced) if v.file_ids)
    file = voucher.files.first()

    ensure_local_file(file=file)
    requests_after_first = sandbox.counters()["requests"]
    ensure_local_file(file=file)

    assert file.is_local
    assert file.sha256
    assert sandbox.counters()["requests"] == requests_after_first


def test_an_invoice_pdf_is_downloaded_and_a_draft_refused(
    sandbox_server, alice, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    from connections.services import create_connection

    settings.MEDIA_ROOT = tmp_path
    org = sandbox_server.new_org(invoices=15, seed=9)
    with django_capture_on_commit_callbacks(execute=False):
        connection = create_connection(
            name="Docs", api_key=org.api_key, owner=alice, base_url=org.base_url, rate_limit=1000
        )
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    documents = SalesDocument.objects.filter(connection=connection, kind="invoice")
    final = documents.exclude(voucher_status="draft").exclude(electronic_document_profile="XRechnung").first()
    draft = documents.filter(voucher_status="draft").first()

    pdf = ensure_document_file(document=final)
    with pdf.content.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    assert ensure_document_file(document=final).pk == pdf.pk
    with pytest.raises(WriteError) as not_xml:
        ensure_document_file(document=final, fmt="xml")
    assert not_xml.value.status == 404
    if draft is not None:
        with pytest.raises(WriteError) as drafted:
            ensure_document_file(document=draft)
        assert drafted.value.status == 409


def test_a_sales_document_deleted_upstream_is_marked(synced, sandbox) -> None:
    invoice = Voucher.objects.filter(connection=synced, voucher_type="invoice").first()
    sandbox.mutate("invoice", "delete", str(invoice.lexoffice_id))

    outcome = refresh_sales_document(
        connection=synced, kind="invoice", lexoffice_id=str(invoice.lexoffice_id), client=synced.client()
    )

    invoice.refresh_from_db()
    assert outcome == "deleted"
    assert invoice.deleted_upstream_at is not None
