"""The bench's anchors (bench/anchor_urls.py) serve the same rows as Lexhub, and only under bench.settings."""

import pytest
from django.urls import Resolver404, resolve

from bench import anchor_views
from contacts.models import Contact
from vouchers.models import BOOKKEEPING_TYPES, Voucher

pytestmark = pytest.mark.django_db


def test_the_product_urls_know_no_anchor() -> None:
    with pytest.raises(Resolver404):
        resolve("/_anchor/api/vouchers/")


@pytest.fixture
def anchor_urls(settings) -> None:
    settings.ROOT_URLCONF = "bench.anchor_urls"


def test_the_plain_viewset_pages_the_same_rows_with_the_same_fields(synced, owner, anchor_urls) -> None:
    ours = owner.get("/api/v1/vouchers/?pageSize=50").json()["results"]
    plain = owner.get("/_anchor/api/vouchers/")
    assert plain.status_code == 200, plain.content
    theirs = plain.json()["results"]
    assert [row["id"] for row in theirs] == [row["id"] for row in ours]
    assert theirs[0].keys() == ours[0].keys()
    with_contact = next(row for row in theirs if row["contact"])
    same = next(row for row in ours if row["id"] == with_contact["id"])
    assert with_contact["contact"] == same["contact"] and with_contact["voucherNumber"] == same["voucherNumber"]


def test_the_plain_viewsets_search_with_icontains_on_lexhubs_columns(synced, owner, anchor_urls) -> None:
    sample = Voucher.objects.filter(connection=synced).exclude(voucher_number="").first()
    term = sample.voucher_number[-4:].lower()
    found = {row["id"] for row in owner.get("/_anchor/api/vouchers/", {"search": term}).json()["results"]}
    assert found == {row["id"] for row in owner.get("/api/v1/vouchers/", {"search": term}).json()["results"]}
    contact = Contact.objects.filter(connection=synced).first()
    names = owner.get("/_anchor/api/contacts/", {"search": contact.name[:4].lower()}).json()["results"]
    assert contact.pk in {row["id"] for row in names}


def test_the_plain_viewset_needs_a_token(synced, client, anchor_urls) -> None:
    assert client.get("/_anchor/api/vouchers/").status_code == 401


def test_the_offset_pages_render_the_list_template_first_and_last(synced, alice_client, anchor_urls) -> None:
    first = alice_client.get("/_anchor/ui/vouchers/")
    assert first.status_code == 200
    present = Voucher.objects.filter(connection=synced, voucher_type__in=BOOKKEEPING_TYPES).present()
    newest = present.order_by("-voucher_date", "-id").first()
    assert f'href="/vouchers/{newest.pk}/"' in first.content.decode()
    last = alice_client.get("/_anchor/ui/vouchers/?page=last")
    oldest = present.order_by("voucher_date", "id").first()
    assert f'href="/vouchers/{oldest.pk}/"' in last.content.decode()
    contacts = alice_client.get("/_anchor/ui/contacts/", {"q": Contact.objects.filter(connection=synced)[0].name})
    assert contacts.status_code == 200 and "/contacts/" in contacts.content.decode()
    assert alice_client.get("/_anchor/ui/invoices/?status=open&sort=-amount").status_code == 200


def test_the_floor_serves_stored_bytes_and_the_ingest_floor_answers_202(
    client, anchor_urls, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(anchor_views, "FLOOR_DIR", tmp_path)
    monkeypatch.setattr(anchor_views, "_floor_bodies", {})
    (tmp_path / "anchor-page.bin").write_bytes(b'{"results": []}')
    assert client.get("/_anchor/floor/page/").content == b'{"results": []}'
    (tmp_path / "anchor-page.bin").write_bytes(b"changed")
    assert client.get("/_anchor/floor/page/").content == b'{"results": []}'  # from memory after the first
    assert client.post("/_anchor/ingest/", b"{}", content_type="application/json").status_code == 202
