"""Media on S3-compatible storage (LEXHUB_S3_BUCKET): receipts uploaded, voucher files downloaded and
previewed, invoice PDFs and XRechnung XML exported, all through the product's own code paths, with the
bytes in the bucket and nothing on the local disk. The S3 server is moto's, started by the fixture."""

import hashlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile

from connections.models import SyncRun
from connections.sync import run_sync
from harness.s3 import S3Server
from invoices.models import SalesDocument
from lexhub.env import media_storage
from tests.writes import files
from vouchers.models import File, Upload, Voucher

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def on_disk(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def stored(s3: S3Server, name: str) -> bytes:
    from django.conf import settings

    prefix = settings.STORAGES["default"]["OPTIONS"]["location"]
    return s3.client().get_object(Bucket=s3.bucket, Key=f"{prefix}/{name}")["Body"].read()


def test_the_bucket_variable_selects_s3_and_keeps_the_keys_out_of_the_settings(monkeypatch) -> None:
    monkeypatch.delenv("LEXHUB_S3_BUCKET", raising=False)
    assert media_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    monkeypatch.setenv("LEXHUB_S3_BUCKET", "office")
    monkeypatch.setenv("LEXHUB_S3_ENDPOINT_URL", "https://s3.example.net")
    monkeypatch.setenv("LEXHUB_S3_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "very-secret")
    storage = media_storage()
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "office",
        "https://s3.example.net",
        "eu-central-1",
    )
    assert options["default_acl"] is None and options["location"] == "media"
    assert "very-secret" not in repr(storage)


def test_without_django_storages_the_bucket_variable_stops_start_up_naming_the_extra(monkeypatch) -> None:
    import sys

    monkeypatch.setenv("LEXHUB_S3_BUCKET", "office")
    monkeypatch.setitem(sys.modules, "storages", None)  # as if not installed
    with pytest.raises(ImproperlyConfigured, match=r"requirements-s3\.txt"):
        media_storage()


def test_a_receipt_upload_is_stored_in_the_bucket_and_sent_to_lexoffice_from_there(
    connection, sandbox, owner, media, s3
) -> None:
    content = files.pdf("Tankbeleg S3")
    response = owner.post(
        "/api/v1/uploads/",
        {"connection": connection.pk, "file": SimpleUploadedFile("Tankbeleg.pdf", content)},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    upload = Upload.objects.get(pk=response.json()["id"])
    assert stored(s3, upload.content.name) == content
    file = File.objects.get(pk=response.json()["file"])
    sent = sandbox.api("GET", f"/v1/files/{file.lexoffice_id}", headers={"Accept": "*/*"})
    assert sent.status_code == 200 and sent.content == content  # read back from the bucket to send it
    assert on_disk(media) == []


def test_voucher_files_are_downloaded_and_previewed_from_the_bucket(synced, owner, alice_client, media, s3) -> None:
    file = next(f for v in Voucher.objects.filter(connection=synced) for f in v.files.all())

    api = owner.get(f"/api/v1/files/{file.pk}/download/", HTTP_ACCEPT="*/*")
    preview = alice_client.get(f"/vouchers/files/{file.pk}/?inline=1")

    assert api.status_code == 200 and preview.status_code == 200
    file.refresh_from_db()
    kept = stored(s3, file.content.name)
    assert hashlib.sha256(kept).hexdigest() == file.sha256 and len(kept) == file.size
    assert body(api) == kept and body(preview) == kept
    assert api["Content-Disposition"].startswith("attachment")
    if kept.startswith(b"%PDF"):
        assert preview["Content-Disposition"].startswith("inline")
    assert on_disk(media) == []


def test_invoice_documents_are_exported_to_the_bucket_and_served_from_it(
    alice_client, connection, sandbox, media, s3
) -> None:
    created = sandbox.mutate("invoice", "create", fields={"electronicDocumentProfile": "XRechnung"})
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    document = SalesDocument.objects.get(connection=connection, lexoffice_id=created["id"])

    pdf = alice_client.get(f"/invoices/{document.pk}/pdf/?inline=1")
    xml = alice_client.get(f"/invoices/{document.pk}/xml/")

    assert pdf.status_code == 200 and xml.status_code == 200
    document.refresh_from_db()
    assert body(pdf) == stored(s3, document.document_file.content.name)
    assert stored(s3, document.document_file.content.name).startswith(b"%PDF-")
    assert body(xml) == stored(s3, document.xml_file.content.name)
    assert pdf["Content-Disposition"].startswith("inline")
    before = sandbox.counters()["requests"]
    assert body(alice_client.get(f"/invoices/{document.pk}/pdf/")).startswith(b"%PDF-")
    assert sandbox.counters()["requests"] == before  # served from the bucket, not fetched again
    assert on_disk(media) == []
