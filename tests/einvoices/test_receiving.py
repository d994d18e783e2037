"""E-invoices through the receipt upload: kept byte for byte, shown readably, refused when hostile (nothing stored),
flagged as duplicates by seller and number, and sent to Lexoffice (the sandbox) as what it accepts."""

import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from connections.writes import WriteError
from einvoices.models import EInvoice
from harness.einvoice_xml import cii, ubl
from harness.einvoices import LineSpec, Sample, zugferd_pdf
from tests.einvoices.corpus import SCENARIOS
from vouchers.models import Upload
from vouchers.receipts.checks import DuplicateUpload
from vouchers.receipts.sync import upload_receipt

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def e_invoicing(sandbox) -> None:
    sandbox.configure(eInvoice=True)


def upload(connection, user, name: str, content: bytes, **kwargs) -> Upload:
    return upload_receipt(connection=connection, upload=SimpleUploadedFile(name, content), user=user, **kwargs)


def posted_files(sandbox) -> list[int]:
    return [r["status"] for r in sandbox.requests_log() if r["method"] == "POST" and r["path"] == "/v1/files"]


def test_an_xrechnung_xml_is_kept_as_received_and_sent_to_lexoffice(
    connection, sandbox, alice, media, e_invoicing
) -> None:
    content = ubl(Sample(number="RE-4711"))

    row = upload(connection, alice, "rechnung.xml", content)

    assert row.state in (Upload.State.UPLOADED, Upload.State.LINKED)
    assert row.content_type == "application/xml"
    einvoice = EInvoice.objects.get(upload=row)
    assert einvoice.xml.read() == content
    assert einvoice.xml_sha256 == hashlib.sha256(content).hexdigest()
    assert (einvoice.number, einvoice.seller_name, einvoice.error_count) == ("RE-4711", "Nordlicht Werkstatt GmbH", 0)
    assert einvoice.data["totals"]["gross"] == "428.40"
    assert posted_files(sandbox) == [202]


def test_an_xml_lexoffice_refuses_stays_in_lexhub_with_a_clear_state(
    connection, sandbox, alice, media, alice_client
) -> None:
    row = upload(connection, alice, "rechnung.xml", cii(Sample(number="RE-local")))  # no e-invoice feature

    assert row.state == Upload.State.FAILED
    einvoice = EInvoice.objects.get(upload=row)
    page = alice_client.get(reverse("einvoices:detail", args=[einvoice.pk]))
    assert page.status_code == 200
    assert "Lexoffice did not take this file" in page.content.decode()
    assert posted_files(sandbox) == [406]


def test_a_zugferd_pdf_keeps_its_embedded_xml(connection, sandbox, alice, media) -> None:
    xml = cii(Sample(number="RE-ZF-1", profile="en16931", buyer_reference=""))
    pdf = zugferd_pdf(xml)

    row = upload(connection, alice, "rechnung.pdf", pdf)

    einvoice = EInvoice.objects.get(upload=row)
    assert (einvoice.container, einvoice.xml_name, einvoice.profile) == ("pdf", "factur-x.xml", "en16931")
    assert einvoice.xml.read() == xml
    assert row.content.read() == pdf  # the upload itself is the PDF, unchanged
    row.refresh_from_db()
    assert row.file is not None and row.file.content.read() == pdf
    assert posted_files(sandbox) == [202]


@pytest.mark.parametrize(
    ("content", "status", "text"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
            400,
            "DTD",
        ),
        (b'<?xml version="1.0"?><order><id>1</id></order>', 400, "not an e-invoice"),
        (ubl(Sample())[:600], 400, "damaged"),
    ],
    ids=["xxe", "other-xml", "truncated"],
)
def test_an_unreadable_xml_is_refused_and_nothing_is_stored(
    connection, sandbox, alice, media, e_invoicing, content: bytes, status: int, text: str
) -> None:
    with pytest.raises(WriteError) as refused, translation.override("en"):  # the English words below
        upload(connection, alice, "rechnung.xml", content)

    assert refused.value.status == status
    assert text in refused.value.message
    assert not Upload.objects.exists() and not EInvoice.objects.exists()
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]
    assert posted_files(sandbox) == []


def test_a_second_invoice_with_the_same_seller_and_number_is_a_duplicate(
    connection, sandbox, alice, media, e_invoicing
) -> None:
    first = upload(connection, alice, "a.xml", ubl(Sample(number="RE-7")))
    resent = cii(Sample(number="RE-7"))  # other bytes, other syntax: the same invoice

    with pytest.raises(DuplicateUpload) as duplicate:
        upload(connection, alice, "b.xml", resent)

    assert duplicate.value.status == 409
    assert "RE-7" in duplicate.value.message
    assert duplicate.value.existing == first
    forced = upload(connection, alice, "b.xml", resent, force=True)
    assert EInvoice.objects.filter(number="RE-7").count() == 2 and forced.pk != first.pk


def test_the_page_shows_the_invoice_in_german_with_its_findings(
    connection, sandbox, alice, media, alice_client, settings
) -> None:
    settings.LANGUAGE_CODE = "de"
    sample = SCENARIOS["two-rates"].with_(number="RE-DE-1", buyer_reference="")
    row = upload(connection, alice, "rechnung.xml", ubl(sample))

    page = alice_client.get(
        reverse("einvoices:detail", args=[row.einvoice.pk]), HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()

    assert "Bürostuhl" in page and "Fachbuch Steuerrecht" in page
    assert "02.03.2026" in page  # issue date, German format
    gross = f"{sample.gross:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert f"{gross} €" in page
    assert "BR-DE-15" in page and "Käuferreferenz" in page  # the finding, in German
    assert row.einvoice.xml_sha256 in page


def test_the_xml_download_is_the_received_bytes(connection, sandbox, alice, media, alice_client, bob_client) -> None:
    content = b"\xef\xbb\xbf" + ubl(Sample(number="RE/8 ÄÖ")).replace(b"\n", b"\r\n")
    row = upload(connection, alice, "x.xml", content)
    url = reverse("einvoices:xml", args=[row.einvoice.pk])

    response = alice_client.get(url)

    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/xml"
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert bob_client.get(url).status_code == 404
    assert bob_client.get(reverse("einvoices:detail", args=[row.einvoice.pk])).status_code == 404


def test_the_api_gives_the_normalised_invoice_and_findings(
    connection, sandbox, alice, media, alice_client, e_invoicing
) -> None:
    row = upload(connection, alice, "r.xml", ubl(Sample(number="RE-API", buyer_reference="")))
    row.refresh_from_db()
    assert row.voucher is not None

    body = alice_client.get(f"/api/v1/vouchers/{row.voucher_id}/e-invoice/").json()

    assert body["invoice"]["number"] == "RE-API"
    assert body["invoice"]["totals"]["due"] == "428.40"
    assert body["valid"] is False
    assert [f["rule"] for f in body["findings"]] == ["BR-DE-15"]
    assert body["xmlSha256"] == row.einvoice.xml_sha256
    assert alice_client.get("/api/v1/vouchers/999999/e-invoice/").status_code == 404


def test_completing_the_receipt_prefills_and_updates_the_voucher(
    connection, sandbox, alice, media, alice_client, e_invoicing
) -> None:
    sample = Sample(
        number="RE-COMPLETE",
        lines=(
            LineSpec("Beratung", Decimal("2"), Decimal("100.00")),
            LineSpec("Buch", Decimal("1"), Decimal("20.00"), rate=Decimal("7")),
        ),
    )
    row = upload(connection, alice, "r.xml", ubl(sample))
    row.refresh_from_db()
    url = reverse("einvoices:complete", args=[row.einvoice.pk])

    form = alice_client.get(url).content.decode()

    assert re.search(r'name="voucher_number"[^>]*value="RE-COMPLETE"', form)
    assert re.search(r'name="items-0-amount"[^>]*value="200.00"', form)
    assert re.search(r'name="items-1-tax_amount"[^>]*value="1.40"', form)
    answer = alice_client.post(
        url,
        {
            "type": "purchaseinvoice",
            "voucher_status": "open",
            "voucher_number": "RE-COMPLETE",
            "voucher_date": "2026-03-02",
            "due_date": "2026-04-01",
            "tax_type": "net",
            "use_collective": "on",
            "contact_name": "Nordlicht Werkstatt GmbH",
            "total_gross": "259.40",
            "total_tax": "39.40",
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "50",
            "items-0-amount": "200.00",
            "items-0-tax_rate": "19",
            "items-0-tax_amount": "38.00",
            "items-0-category": "8f8664a5-fd86-11e1-a21f-0800200c9a66",
            "items-1-amount": "20.00",
            "items-1-tax_rate": "7",
            "items-1-tax_amount": "1.40",
            "items-1-category": "8f8664a5-fd86-11e1-a21f-0800200c9a66",
        },
    )

    assert answer.status_code == 302, re.findall(
        r"<ul class=\"errorlist[^\n]*|<p class=\"error[^\n]*", answer.content.decode()
    )
    assert answer["Location"] == reverse("vouchers:detail", args=[row.voucher_id])
    puts = [r for r in sandbox.requests_log() if r["method"] == "PUT"]
    assert [r["status"] for r in puts] == [200]
    row.voucher.refresh_from_db()
    assert row.voucher.voucher_number == "RE-COMPLETE"


def test_an_einvoice_uploaded_in_lexoffice_is_found_among_mirrored_files(
    connection, sandbox, alice, media, alice_client
) -> None:
    from vouchers.models import File
    from vouchers.sync import ensure_local_file, fetch_file, refresh_voucher

    sandbox.configure(eInvoice=True)
    content = ubl(Sample(number="RE-MIRRORED"))
    sent = sandbox.api(
        "POST", "/v1/files", files={"file": ("r.xml", content, "application/xml")}, data={"type": "voucher"}
    )
    assert sent.status_code == 202, sent.text
    refresh_voucher(connection=connection, lexoffice_id=sent.json()["voucherId"], client=connection.client())
    file = File.objects.get(connection=connection, lexoffice_id=sent.json()["id"])

    ensure_local_file(file=file)

    einvoice = EInvoice.objects.get(file=file)
    assert (einvoice.number, einvoice.upload, einvoice.xml.read()) == ("RE-MIRRORED", None, content)
    body = alice_client.get(f"/api/v1/vouchers/{file.voucher_id}/e-invoice/").json()
    assert body["invoice"]["number"] == "RE-MIRRORED" and body["voucher"] == file.voucher_id
    fetch_file(file=file, client=connection.client())  # fetched again (a re-sync): still one e-invoice
    assert EInvoice.objects.filter(file=file).count() == 1


def test_the_seller_can_be_created_as_a_contact_and_is_then_matched(
    connection, sandbox, alice, media, alice_client
) -> None:
    row = upload(connection, alice, "r.xml", ubl(Sample(number="RE-NEW-SELLER", seller_name="Werkzeug Nord GmbH")))
    complete = reverse("einvoices:complete", args=[row.einvoice.pk])
    assert "Create the seller as a contact" in alice_client.get(complete).content.decode()

    answer = alice_client.post(reverse("einvoices:create_contact", args=[row.einvoice.pk]))

    assert answer.status_code == 302 and answer["Location"] == complete
    form = alice_client.get(complete).content.decode()
    assert "Create the seller as a contact" not in form
    assert "the seller is your contact Werkzeug Nord GmbH" in form
    created = [r for r in sandbox.requests_log() if r["method"] == "POST" and r["path"] == "/v1/contacts"]
    assert [r["status"] for r in created] == [201]


def test_the_upload_api_refuses_a_hostile_xml_with_a_clear_400(connection, sandbox, alice, media) -> None:
    from tests.api.conftest import token_client

    hostile = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]><r>&x;</r>'

    answer = token_client(alice).post(
        "/api/v1/uploads/",
        {"connection": connection.pk, "file": SimpleUploadedFile("r.xml", hostile)},
        format="multipart",
    )

    assert answer.status_code == 400
    assert "DTD" in answer.json()["message"]
    assert not Upload.objects.exists() and not EInvoice.objects.exists()


def test_a_foreign_currency_invoice_warns_before_booking(connection, sandbox, alice, media, alice_client) -> None:
    row = upload(connection, alice, "r.xml", ubl(SCENARIOS["foreign-currency"].with_(number="RE-USD")))

    form = alice_client.get(reverse("einvoices:complete", args=[row.einvoice.pk])).content.decode()

    assert "The invoice is in USD; Lexoffice books in euros" in form


def test_an_amount_beyond_the_column_is_kept_in_the_data_only(connection, sandbox, alice, media) -> None:
    huge = ubl(Sample(number="RE-HUGE")).replace(
        b">428.40</cbc:TaxInclusiveAmount>", b">123456789012345678.00</cbc:TaxInclusiveAmount>"
    )

    row = upload(connection, alice, "r.xml", huge)

    assert row.einvoice.gross is None
    assert row.einvoice.data["totals"]["gross"] == "123456789012345678.00"
    assert "BR-CO-15" in {f["rule"] for f in row.einvoice.findings}
