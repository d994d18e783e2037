"""Receipt uploads, files added to vouchers and downloads through the API."""

import pytest

from connections.models import SyncRun
from connections.sync import run_sync
from invoices.models import SalesDocument
from tests.writes import files
from vouchers.models import File, Upload, Voucher
from vouchers.receipts.api import TOO_LARGE
from vouchers.receipts.checks import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.django_db


def upload(client, connection, name: str, content: bytes, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/api/v1/uploads/",
        {"connection": connection.pk, "file": SimpleUploadedFile(name, content), **extra},
        format="multipart",
    )


def stored(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_a_receipt_is_uploaded_and_its_record_tracked(connection, sandbox, owner, media) -> None:
    response = upload(owner, connection, "Tankbeleg März.pdf", files.pdf("Tank"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] in ("uploaded", "linked")
    assert body["originalName"] == "Tankbeleg März.pdf"
    file = File.objects.get(pk=body["file"])
    assert sandbox.api("GET", f"/v1/files/{file.lexoffice_id}", headers={"Accept": "*/*"}).status_code == 200
    assert owner.get(f"/api/v1/uploads/{body['id']}/").json() == body
    assert [row["id"] for row in owner.get("/api/v1/uploads/").json()["results"]] == [body["id"]]


def test_a_duplicate_is_refused_naming_the_existing_voucher_unless_forced(synced, sandbox, owner) -> None:
    content = files.png(seed=11)
    first = upload(owner, synced, "a.png", content)
    voucher = File.objects.get(pk=first.json()["file"]).voucher  # the voucher Lexoffice made for the upload

    again = upload(owner, synced, "b.png", content)
    forced = upload(owner, synced, "b.png", content, force="true")

    assert voucher is not None
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "duplicate"
    assert (voucher.voucher_number or str(voucher.lexoffice_id)) in body["message"]
    assert body["existing"] == {
        "upload": None,
        "file": first.json()["file"],
        "voucher": {"id": voucher.pk, "voucherNumber": voucher.voucher_number, "voucherType": voucher.voucher_type},
    }
    assert forced.status_code in (201, 202), forced.content
    assert forced.json()["id"] != first.json()["id"]


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [
        ("empty.pdf", b"", 400),
        ("zip.pdf", b"PK\x03\x04" + b"\x00" * 40, 415),
        ("script.png", b"<!doctype html><script>alert(1)</script>", 415),
        ("truncated.pdf", files.pdf()[:-20], 400),
        ("one-byte-over.pdf", (b"%PDF-1.4\n" + b"0" * MAX_UPLOAD_BYTES)[: MAX_UPLOAD_BYTES - 6] + b"\n%%EOF\n", 413),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored_or_sent(
    connection, sandbox, owner, media, name, content, status
) -> None:
    before = sandbox.counters()["requests"]

    response = upload(owner, connection, name, content)

    assert response.status_code == status, response.content
    assert response.json()["fieldErrors"]["file"]
    assert (Upload.objects.count(), stored(media), sandbox.counters()["requests"]) == (0, [], before)


def test_ten_times_the_limit_is_stopped_while_streaming(connection, sandbox, owner, media) -> None:
    response = upload(owner, connection, "huge.pdf", b"%PDF-1.4\n" + b"0" * (10 * MAX_UPLOAD_BYTES))

    assert response.status_code == 413
    assert response.json()["message"] == TOO_LARGE  # set by the streaming handler, not by the later check
    assert Upload.objects.count() == 0 and stored(media) == []


def test_an_upload_without_a_file_or_connection_is_a_400(connection, owner, other, media) -> None:
    missing = owner.post("/api/v1/uploads/", {"connection": connection.pk}, format="multipart")
    foreign = upload(other, connection, "a.pdf", files.pdf())
    as_json = owner.post("/api/v1/uploads/", {"connection": connection.pk}, format="json")

    assert (missing.status_code, list(missing.json()["fieldErrors"])) == (400, ["file"])
    assert (foreign.status_code, list(foreign.json()["fieldErrors"])) == (400, ["connection"])
    assert as_json.status_code == 415


def test_an_upload_lexoffice_cannot_take_now_is_a_202_and_pending(connection, sandbox, owner, media) -> None:
    sandbox.set_faults([{"path": "^/v1/files$", "method": "POST", "kind": "status", "status": 503}])

    response = upload(owner, connection, "later.pdf", files.pdf("later"))

    assert response.status_code == 202, response.content
    assert response.json()["state"] == "pending"


def test_a_file_is_added_to_a_voucher(synced, sandbox, owner) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    voucher = Voucher.objects.filter(connection=synced, voucher_type="purchaseinvoice").first()

    response = owner.post(
        f"/api/v1/vouchers/{voucher.pk}/files/",
        {"file": SimpleUploadedFile("anhang.pdf", files.pdf("anhang"))},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    file = File.objects.get(pk=response.json()["file"])
    assert str(file.lexoffice_id) in sandbox.api("GET", f"/v1/vouchers/{voucher.lexoffice_id}").json()["files"]
    assert (
        owner.post(
            f"/api/v1/vouchers/{voucher.pk}/files/",
            {"file": SimpleUploadedFile("x.pdf", b"GIF89a" + b"\x00" * 40)},
            format="multipart",
        ).status_code
        == 415
    )


def test_a_file_is_downloaded_as_an_attachment_with_its_sniffed_type(synced, owner, other) -> None:
    file = next(f for v in Voucher.objects.filter(connection=synced) for f in v.files.all())

    response = owner.get(f"/api/v1/files/{file.pk}/download/", HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    file.refresh_from_db()
    assert response["Content-Type"] == file.content_type
    assert b"".join(response.streaming_content)[:4] in (b"%PDF", b"\x89PNG", b"\xff\xd8\xff\xe0"[:4])
    missing = other.get(f"/api/v1/files/{file.pk}/download/", HTTP_ACCEPT="application/pdf")
    assert (missing.status_code, missing["Content-Type"], missing.json()["code"]) == (
        404,
        "application/json",
        "not_found",
    )


@pytest.fixture
def documents(sandbox_server, alice, media, django_capture_on_commit_callbacks):
    from connections.services import create_connection

    org = sandbox_server.new_org(invoices=15, seed=9)
    with django_capture_on_commit_callbacks(execute=False):
        connection = create_connection(
            name="Docs", api_key=org.api_key, owner=alice, base_url=org.base_url, rate_limit=1000
        )
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    return SalesDocument.objects.filter(connection=connection)


def test_sales_documents_are_listed_rendered_and_downloaded(documents, owner, other) -> None:
    final = documents.exclude(voucher_status="draft").exclude(electronic_document_profile="XRechnung").first()
    listed = owner.get("/api/v1/sales-documents/", {"kind": "invoice", "pageSize": 250}).json()["results"]

    detail = owner.get(f"/api/v1/sales-documents/{final.pk}/").json()
    rendered = owner.post(f"/api/v1/sales-documents/{final.pk}/render/")
    pdf = owner.get(f"/api/v1/sales-documents/{final.pk}/pdf/")
    xml = owner.get(f"/api/v1/sales-documents/{final.pk}/xml/")

    assert {row["id"] for row in listed} == set(documents.filter(kind="invoice").values_list("pk", flat=True))
    assert detail["lineItems"] == final.raw["lineItems"] and detail["lexofficeId"] == str(final.lexoffice_id)
    assert rendered.status_code == 200, rendered.content
    assert rendered.json()["documentFileId"]
    assert pdf.status_code == 200
    assert (pdf["Content-Type"], pdf["X-Content-Type-Options"]) == ("application/pdf", "nosniff")
    assert pdf["Content-Disposition"].startswith("attachment")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert (xml.status_code, xml.json()["code"]) == (404, "write_error")
    assert other.get(f"/api/v1/sales-documents/{final.pk}/pdf/").status_code == 404


def test_a_draft_has_no_pdf_yet(documents, owner) -> None:
    draft = documents.filter(voucher_status="draft").first()
    from tests.conftest import require

    require(draft is not None, "the seeded organization has no draft invoice")
    response = owner.get(f"/api/v1/sales-documents/{draft.pk}/pdf/")

    assert response.status_code == 409
    assert "draft" in response.json()["message"]


def test_a_file_lexoffice_refuses_is_a_400_and_its_upload_failed(connection, sandbox, owner, media) -> None:
    sandbox.set_faults([{"path": "^/v1/files$", "method": "POST", "kind": "status", "status": 406}])

    response = upload(owner, connection, "refused.pdf", files.pdf("refused"))

    assert response.status_code == 400, response.content
    assert response.json()["fieldErrors"]["file"]
    assert Upload.objects.get().state == Upload.State.FAILED


def test_files_are_only_added_to_bookkeeping_vouchers(synced, owner) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    invoice = Voucher.objects.filter(connection=synced, voucher_type="invoice").first()

    response = owner.post(
        f"/api/v1/vouchers/{invoice.pk}/files/", {"file": SimpleUploadedFile("a.pdf", files.pdf())}, format="multipart"
    )

    assert response.status_code == 400
    assert "bookkeeping" in response.json()["message"]
