import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from connections.models import SyncRun
from connections.sync import run_sync
from tests.fixtures.app import ENGLISH
from tests.writes import files
from vouchers.models import File, Upload, Voucher
from vouchers.receipts.checks import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload_posts(sandbox) -> list[dict]:
    return [r for r in sandbox.requests_log() if r["method"] == "POST" and "/files" in r["path"]]


def test_the_inbox_offers_the_drop_zone_and_the_plain_form(alice_client, connection) -> None:
    html = alice_client.get("/receipts/").content.decode()

    assert 'action="/receipts/upload/"' in html and 'enctype="multipart/form-data"' in html
    assert 'id="dropzone"' in html
    assert re.search(r'<input type="file"[^>]* name="files" multiple', html)
    assert 'href="/receipts/" aria-current="page">Receipts</a>' in html  # the navigation link, marked current
    assert "lexhub/uploads.js" in html


def test_one_file_by_script_is_uploaded_and_answered_in_json(alice_client, connection, sandbox) -> None:
    response = alice_client.post(
        "/receipts/upload/", {"files": SimpleUploadedFile("Tankbeleg.pdf", files.pdf("T1"))}, **JSON
    )

    body = response.json()["uploads"]
    upload = Upload.objects.get()
    assert response.status_code == 201
    assert body[0]["state"] in ("uploaded", "linked") and body[0]["id"] == upload.pk
    assert body[0]["name"] == "Tankbeleg.pdf"
    assert len(upload_posts(sandbox)) == 1
    if upload.state == Upload.State.LINKED:
        assert body[0]["voucher_url"] == f"/vouchers/{upload.voucher.pk}/"


def test_each_file_of_a_plain_form_gets_its_own_outcome(alice_client, connection, sandbox) -> None:
    duplicate = files.png(seed=7)
    alice_client.post("/receipts/upload/", {"files": SimpleUploadedFile("first.png", duplicate)}, **JSON)

    response = alice_client.post(
        "/receipts/upload/",
        {
            "files": [
                SimpleUploadedFile("good.png", files.png(seed=8)),
                SimpleUploadedFile("renamed.pdf", b"PK\x03\x04" + b"\x00" * 40),
                SimpleUploadedFile("again.png", duplicate),
            ]
        },
        follow=True,
    )

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/receipts/"
    assert "good.png: uploaded to Lexoffice." in html
    assert "renamed.pdf: Only PDF, PNG, JPEG and HEIC files can be uploaded" in html
    assert "again.png: Already uploaded" in html
    assert Upload.objects.count() == 2
    assert len(upload_posts(sandbox)) == 2
    rows = re.findall(r'<li class="upload" data-state="([a-z]+)"', html)
    assert len(rows) == 2 and set(rows) <= {"uploaded", "linked"}


def test_a_duplicate_names_the_existing_voucher(alice_client, connection, sandbox) -> None:
    content = files.pdf("Doppelt")
    first = alice_client.post("/receipts/upload/", {"files": SimpleUploadedFile("a.pdf", content)}, **JSON).json()
    upload = Upload.objects.get(pk=first["uploads"][0]["id"])

    response = alice_client.post("/receipts/upload/", {"files": SimpleUploadedFile("b.pdf", content)}, **JSON)

    outcome = response.json()["uploads"][0]
    assert response.status_code == 409
    assert outcome["state"] == "duplicate" and outcome["error"].startswith("Already uploaded")
    expected = f"/vouchers/{upload.voucher.pk}/" if upload.voucher else "/receipts/"
    assert outcome["existing_url"] == expected
    forced = alice_client.post(
        "/receipts/upload/", {"files": SimpleUploadedFile("b.pdf", content), "force": "on"}, **JSON
    )
    assert forced.status_code == 201


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("big.pdf", b"%PDF-1.4\n" + b"0" * MAX_UPLOAD_BYTES + b"\n%%EOF\n", 413, "larger than 5 MB"),
        ("photo.jpg", b"GIF89a" + b"\x00" * 40, 415, "Only PDF, PNG, JPEG and HEIC"),
        ("cut.png", files.png()[:-12], 400, "truncated or damaged"),
        ("empty.pdf", b"", 400, "empty"),
    ],
)
def test_refused_files_are_answered_per_file(
    alice_client, connection, sandbox, media, name, content, status, message
) -> None:
    response = alice_client.post("/receipts/upload/", {"files": SimpleUploadedFile(name, content)}, **JSON)

    assert response.status_code == status
    outcome = response.json()["uploads"][0]
    assert outcome["state"] == "rejected" and message in outcome["error"]
    assert Upload.objects.count() == 0 and upload_posts(sandbox) == []
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_the_status_endpoint_follows_uploads_of_visible_connections_only(
    alice_client, connection, sandbox, bob
) -> None:
    posted = alice_client.post("/receipts/upload/", {"files": SimpleUploadedFile("s.pdf", files.pdf("S"))}, **JSON)
    upload_id = posted.json()["uploads"][0]["id"]
    Upload.objects.filter(pk=upload_id).update(state=Upload.State.UPLOADED, voucher=None)

    before = alice_client.get(f"/receipts/status/?ids={upload_id},999999").json()["uploads"]
    voucher = Voucher.objects.filter(connection=connection).first()
    Upload.objects.filter(pk=upload_id).update(state=Upload.State.LINKED, voucher=voucher)
    after = alice_client.get(f"/receipts/status/?ids={upload_id}").json()["uploads"]
    bob_client = Client(headers=ENGLISH)
    bob_client.force_login(bob)

    assert [(u["id"], u["state"]) for u in before] == [(upload_id, "uploaded")]
    assert (after[0]["state"], after[0]["voucher_url"]) == ("linked", f"/vouchers/{voucher.pk}/")
    assert bob_client.get(f"/receipts/status/?ids={upload_id}").json()["uploads"] == []


def test_uploads_need_the_csrf_token(alice, connection, sandbox) -> None:
    client = Client(enforce_csrf_checks=True, headers=ENGLISH)
    client.force_login(alice)
    client.get("/receipts/")
    token = client.cookies["csrftoken"].value

    refused = client.post("/receipts/upload/", {"files": SimpleUploadedFile("c.pdf", files.pdf("C"))}, **JSON)
    accepted = client.post(
        "/receipts/upload/", {"files": SimpleUploadedFile("c.pdf", files.pdf("C"))}, HTTP_X_CSRFTOKEN=token, **JSON
    )
    by_field = client.post(
        "/receipts/upload/", {"csrfmiddlewaretoken": token, "files": SimpleUploadedFile("d.pdf", files.pdf("D"))}
    )

    assert refused.status_code == 403
    assert accepted.status_code == 201
    assert by_field.status_code == 302
    assert Upload.objects.count() == 2


def test_a_file_is_added_to_a_voucher_from_its_page(alice_client, connection, sandbox) -> None:
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    voucher = Voucher.objects.filter(connection=connection, voucher_type="purchaseinvoice").first()
    page = alice_client.get(f"/vouchers/{voucher.pk}/").content.decode()
    assert 'id="voucher-file-upload"' in page and 'name="file"' in page

    response = alice_client.post(
        f"/vouchers/{voucher.pk}/files/", {"file": SimpleUploadedFile("Nachtrag.png", files.png(seed=21))}, **JSON
    )

    assert response.status_code == 201, response.content
    remote = sandbox.api("GET", f"/v1/vouchers/{voucher.lexoffice_id}").json()
    added = File.objects.get(connection=connection, sha256=Upload.objects.get().sha256)
    assert str(added.lexoffice_id) in remote["files"]
    assert added.voucher == voucher


def test_files_are_not_added_to_sales_documents(alice_client, connection, sandbox) -> None:
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    invoice = Voucher.objects.filter(connection=connection, voucher_type="invoice").first()

    response = alice_client.post(
        f"/vouchers/{invoice.pk}/files/", {"file": SimpleUploadedFile("x.png", files.png(seed=22))}, follow=True
    )

    assert "Files can only be added to bookkeeping vouchers." in response.content.decode()
    assert 'id="voucher-file-upload"' not in response.content.decode()
    assert Upload.objects.count() == 0


def test_an_upload_lexoffice_cannot_take_now_is_kept_and_followed(alice_client, connection, sandbox) -> None:
    sandbox.set_faults([{"path": "^/v1/files$", "method": "POST", "kind": "status", "status": 503}])

    response = alice_client.post(
        "/receipts/upload/", {"files": SimpleUploadedFile("later.pdf", files.pdf("L"))}, **JSON
    )

    outcome = response.json()["uploads"][0]
    assert response.status_code == 202
    assert (outcome["state"], outcome["label"]) == ("pending", "Waiting to upload")
    assert Upload.objects.get().state == Upload.State.PENDING
    html = alice_client.get("/receipts/").content.decode()
    assert f'<li class="upload" data-state="pending" data-upload-id="{outcome["id"]}">' in html
