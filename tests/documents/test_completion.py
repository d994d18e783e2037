"""Completing an uploaded receipt: the form's values reach Lexoffice as an open voucher that keeps its file;
a concurrent change in Lexoffice is merged when it touched other fields, shown side by side when not."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.writes import files
from vouchers.models import Upload, Voucher

pytestmark = pytest.mark.django_db
OUTGO = "8f8664a5-fd86-11e1-a21f-0800200c9a66"  # Bürobedarf in the sandbox's posting categories


@pytest.fixture
def uploaded(alice_client, connection, sandbox, media) -> Voucher:
    response = alice_client.post(
        "/receipts/upload/", {"files": SimpleUploadedFile("quittung.pdf", files.pdf("Bürobedarf 119,00"))},
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    voucher = Upload.objects.get().voucher
    assert voucher is not None and voucher.voucher_status == "unchecked"
    return voucher


def filled(voucher: Voucher, **changes: object) -> dict:
    values = {
        "version": voucher.details_version,
        "type": "purchaseinvoice",
        "voucher_number": "Q-2026-17",
        "voucher_date": "2026-11-30",
        "due_date": "",
        "contact": "",
        "contact_name": "Papeterie Müller",
        "remark": "",
        "gross_19": "119.00",
        "category_19": OUTGO,
        "gross_7": "10.70",
        "category_7": OUTGO,
        "gross_0": "",
        "category_0": "",
        "save": "",
    }
    return values | changes


def remote(sandbox, voucher: Voucher) -> dict:
    return sandbox.api("GET", f"/v1/vouchers/{voucher.lexoffice_id}").json()


def test_the_queue_lists_the_upload_and_the_page_completes_it(alice_client, sandbox, uploaded) -> None:
    queue = alice_client.get("/vouchers/to-complete/").content.decode()
    assert f"/vouchers/{uploaded.pk}/complete/" in queue
    page = alice_client.get(f"/vouchers/{uploaded.pk}/complete/").content.decode()
    assert "Bürobedarf" in page  # the posting category offered by name

    response = alice_client.post(f"/vouchers/{uploaded.pk}/complete/", filled(uploaded))

    assert response.status_code == 302, response.content.decode()[:3000]
    voucher = remote(sandbox, uploaded)
    assert voucher["voucherStatus"] == "open" and voucher["voucherNumber"] == "Q-2026-17"
    assert voucher["totalGrossAmount"] == 129.7 and voucher["totalTaxAmount"] == 19.7
    assert sorted((i["taxRatePercent"], i["amount"], i["taxAmount"]) for i in voucher["voucherItems"]) == [
        (7, 10.7, 0.7),
        (19, 119.0, 19.0),
    ]
    assert voucher["files"] == uploaded.file_ids and voucher["files"]
    assert Voucher.objects.get(pk=uploaded.pk).voucher_status == "open"
    assert f"/vouchers/{uploaded.pk}/complete/" not in alice_client.get("/vouchers/to-complete/").content.decode()


def test_a_change_in_lexoffice_to_another_field_is_merged(alice_client, sandbox, uploaded) -> None:
    sandbox.mutate("voucher", "change", str(uploaded.lexoffice_id), {"remark": "von der Buchhalterin"})

    response = alice_client.post(f"/vouchers/{uploaded.pk}/complete/", filled(uploaded))

    assert response.status_code == 302
    voucher = remote(sandbox, uploaded)
    assert (voucher["voucherStatus"], voucher["remark"], voucher["voucherNumber"]) == (
        "open",
        "von der Buchhalterin",
        "Q-2026-17",
    )
    assert voucher["files"]


def test_a_change_in_lexoffice_to_the_same_field_is_shown_as_a_conflict(alice_client, sandbox, uploaded) -> None:
    sandbox.mutate("voucher", "change", str(uploaded.lexoffice_id), {"voucherNumber": "RE-ANDERS"})

    response = alice_client.post(f"/vouchers/{uploaded.pk}/complete/", filled(uploaded))

    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="conflict"' in html and "RE-ANDERS" in html and "Q-2026-17" in html
    assert remote(sandbox, uploaded)["voucherNumber"] == "RE-ANDERS"  # nothing overwritten without asking
    again = alice_client.post(
        f"/vouchers/{uploaded.pk}/complete/", filled(uploaded, version=remote(sandbox, uploaded)["version"])
    )
    assert again.status_code == 302
    assert remote(sandbox, uploaded)["voucherNumber"] == "Q-2026-17"


def test_missing_amounts_are_refused_before_anything_is_sent(alice_client, sandbox, uploaded) -> None:
    alice_client.get(f"/vouchers/{uploaded.pk}/complete/")  # posting categories fetched (a read), then cached
    before = sandbox.counters()["requests"]

    response = alice_client.post(
        f"/vouchers/{uploaded.pk}/complete/", filled(uploaded, gross_19="", gross_7="", contact_name="")
    )

    assert response.status_code == 400
    assert "at least one tax rate" in response.content.decode()
    assert sandbox.counters()["requests"] == before
