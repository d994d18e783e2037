"""Stored files are shown inline only when their bytes are PDF, PNG or JPEG, and then in a sandbox; everything
else is an opaque attachment. The invoice preview and its page follow the same rules."""

import uuid

import pytest
from django.core.files.base import ContentFile

from connections.models import Connection, SyncRun
from connections.sync import run_sync
from tests.writes import files
from vouchers.models import File
from web.csp import FRAMING_CONTENT_SECURITY_POLICY


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def stored_file(connection: Connection, content: bytes, *, content_type: str, filename: str) -> File:
    file = File(
        connection=connection,
        lexoffice_id=uuid.uuid4(),
        filename=filename,
        content_type=content_type,
        size=len(content),
    )
    file.content.save(str(file.lexoffice_id), ContentFile(content), save=False)
    file.save()
    return file


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "stated", "expected"),
    [
        (files.pdf("Beleg"), "application/pdf", "application/pdf"),
        (files.png(), "image/png", "image/png"),
        (files.jpeg(), "image/jpeg", "image/jpeg"),
        (files.png(), "application/octet-stream", "image/png"),  # the bytes decide, not the stated type
    ],
    ids=["pdf", "png", "jpeg", "png-stated-as-octet-stream"],
)
def test_a_checked_image_or_pdf_is_shown_inline_in_a_sandbox(
    alice_client, own_connection, media, content, stated, expected
) -> None:
    file = stored_file(own_connection, content, content_type=stated, filename="beleg")

    response = alice_client.get(f"/vouchers/files/{file.pk}/?inline=1")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Type"] == expected
    assert response["Content-Security-Policy"].startswith("default-src 'none'; sandbox")
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "stated"),
    [
        (b"<html><script>alert(document.cookie)</script></html>", "text/html"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
        (b"<html><script>alert(1)</script></html>", "application/pdf"),  # a lie about the type
        (b"<?xml version='1.0'?><Invoice/>", "application/xml"),
    ],
    ids=["html", "svg", "html-stated-as-pdf", "xml"],
)
def test_anything_else_is_an_opaque_attachment_even_when_asked_inline(
    alice_client, own_connection, media, content, stated
) -> None:
    file = stored_file(own_connection, content, content_type=stated, filename="page.html")

    for query in ("?inline=1", ""):
        response = alice_client.get(f"/vouchers/files/{file.pk}/{query}")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Security-Policy"].startswith("default-src 'none'; sandbox")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert body(response) == content


@pytest.mark.django_db
def test_a_pdf_without_inline_is_a_download(alice_client, own_connection, media) -> None:
    file = stored_file(own_connection, files.pdf(), content_type="application/pdf", filename="beleg.pdf")

    response = alice_client.get(f"/vouchers/files/{file.pk}/")

    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_invoice_preview_and_its_page_use_the_same_rules(alice_client, connection, sandbox, media) -> None:
    created = sandbox.mutate("invoice", "create", fields={"electronicDocumentProfile": "XRechnung"})
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    from invoices.models import SalesDocument

    document = SalesDocument.objects.get(connection=connection, lexoffice_id=created["id"])

    page = alice_client.get(f"/vouchers/{document.voucher.pk}/")
    preview = alice_client.get(f"/invoices/{document.pk}/pdf/?inline=1")
    xml = alice_client.get(f"/invoices/{document.pk}/xml/?inline=1")

    assert f'<iframe class="preview" title="Invoice preview" src="/invoices/{document.pk}/pdf/?inline=1"' in (
        page.content.decode()
    )
    assert page["Content-Security-Policy"] == FRAMING_CONTENT_SECURITY_POLICY
    assert preview["Content-Disposition"].startswith("inline") and preview["Content-Type"] == "application/pdf"
    assert preview["Content-Security-Policy"] == "default-src 'none'; sandbox; frame-ancestors 'self'"
    assert preview["X-Frame-Options"] == "SAMEORIGIN" and preview["X-Content-Type-Options"] == "nosniff"
    assert xml["Content-Disposition"].startswith("attachment")
    assert xml["Content-Type"] == "application/octet-stream"
