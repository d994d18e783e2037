import pytest

from vouchers.models import Voucher

pytestmark = pytest.mark.django_db


def test_the_voucher_list_pages_through_every_voucher_with_its_contact(synced, owner) -> None:
    seen, url = [], "/api/v1/vouchers/?pageSize=5"
    while url:
        page = owner.get(url)
        assert page.status_code == 200, page.content
        seen += page.json()["results"]
        url = page.json()["next"]

    stored = Voucher.objects.filter(connection=synced).present()
    assert sorted(row["id"] for row in seen) == sorted(stored.values_list("pk", flat=True))
    dates = [row["voucherDate"] for row in seen]
    assert dates == sorted(dates, reverse=True)
    with_contact = next(row for row in seen if row["contact"])
    voucher = stored.get(pk=with_contact["id"])
    assert with_contact["contact"] == {"id": voucher.contact.pk, "lexofficeId": str(voucher.contact.lexoffice_id),
                                       "name": voucher.contact.name}
    assert with_contact["voucherNumber"] == voucher.voucher_number
