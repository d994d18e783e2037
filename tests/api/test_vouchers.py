import pytest

from tests.payloads import PURCHASE_VOUCHER
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
    assert with_contact["contact"] == {
        "id": voucher.contact.pk,
        "lexofficeId": str(voucher.contact.lexoffice_id),
        "name": voucher.contact.name,
    }
    assert with_contact["voucherNumber"] == voucher.voucher_number


VOUCHER = {**PURCHASE_VOUCHER, "voucherNumber": "ER-API-1"}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_vouchers_are_filtered_by_type_status_dates_amount_contact_and_number(synced, owner) -> None:
    stored = Voucher.objects.filter(connection=synced).present()
    sample = stored.exclude(voucher_number="").exclude(contact=None).exclude(voucher_date=None).first()
    day = sample.voucher_date.astimezone().date().isoformat()

    assert ids(owner.get("/api/v1/vouchers/", {"type": sample.voucher_type, "pageSize": 250})) == set(
        stored.filter(voucher_type=sample.voucher_type).values_list("pk", flat=True)
    )
    assert ids(owner.get("/api/v1/vouchers/", {"status": sample.voucher_status, "pageSize": 250})) == set(
        stored.filter(voucher_status=sample.voucher_status).values_list("pk", flat=True)
    )
    assert sample.pk in ids(owner.get("/api/v1/vouchers/", {"dateFrom": day, "dateTo": day}))
    assert sample.pk not in ids(owner.get("/api/v1/vouchers/", {"dateFrom": "2099-01-01"}))
    assert sample.pk in ids(
        owner.get("/api/v1/vouchers/", {"amountMin": str(sample.total_amount), "amountMax": str(sample.total_amount)})
    )
    assert ids(owner.get("/api/v1/vouchers/", {"contact": sample.contact_id, "pageSize": 250})) == set(
        stored.filter(contact=sample.contact).values_list("pk", flat=True)
    )
    assert sample.pk in ids(owner.get("/api/v1/vouchers/", {"search": sample.voucher_number[-4:]}))
    by_amount = owner.get("/api/v1/vouchers/", {"ordering": "totalAmount", "pageSize": 250}).json()["results"]
    amounts = [row["totalAmount"] for row in by_amount if row["totalAmount"] is not None]
    assert amounts == sorted(amounts)


@pytest.mark.parametrize(
    "query",
    [
        {"type": "cheque"},
        {"dateFrom": "01.03.2026"},
        {"amountMin": "lots"},
        {"contact": "-1"},
        {"archived": "perhaps"},
        {"ordering": "-contact"},
        {"cursor": "W10"},
    ],
)
def test_bad_voucher_filters_are_a_400(synced, owner, query) -> None:
    response = owner.get("/api/v1/vouchers/", query)

    assert response.status_code == 400, response.content
    assert set(response.json()["fieldErrors"]) == set(query)


def test_a_voucher_is_retrieved_with_its_details_and_files(synced, owner) -> None:
    voucher = next(v for v in Voucher.objects.filter(connection=synced) if v.file_ids)

    body = owner.get(f"/api/v1/vouchers/{voucher.pk}/").json()

    assert body["details"] == voucher.details
    assert sorted(f["lexofficeId"] for f in body["files"]) == sorted(voucher.file_ids)


def test_a_voucher_is_created_in_lexoffice(connection, sandbox, owner) -> None:
    response = owner.post("/api/v1/vouchers/", {**VOUCHER, "connection": connection.pk}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["details"] == sandbox.api("GET", f"/v1/vouchers/{body['lexofficeId']}").json()
    assert (body["voucherNumber"], body["totalAmount"]) == ("ER-API-1", 226.0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"totalGrossAmount": 200.0}, "totalGrossAmount"),
        ({"voucherItems": [{**VOUCHER["voucherItems"][0], "taxAmount": 5.0}]}, "voucherItems[0].taxAmount"),
        ({"voucherItems": [{"amount": "x"}]}, "voucherItems[0].amount"),
        ({"type": "invoice"}, "type"),
        ({"voucherDate": "01.03.2026"}, "voucherDate"),
    ],
)
def test_invalid_vouchers_are_a_400_before_any_request(connection, sandbox, owner, change, field) -> None:
    before = sandbox.counters()["requests"]

    response = owner.post("/api/v1/vouchers/", {**VOUCHER, "connection": connection.pk, **change}, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["fieldErrors"], response.json()
    assert sandbox.counters()["requests"] == before


def test_lexoffices_refusal_of_a_voucher_is_a_400_on_the_field(connection, owner) -> None:
    data = {
        **VOUCHER,
        "connection": connection.pk,
        "useCollectiveContact": False,
        "contactId": "00000000-0000-4000-8000-000000000000",
    }

    response = owner.post("/api/v1/vouchers/", data, format="json")

    assert response.status_code == 400
    assert "contactId" in response.json()["fieldErrors"]


@pytest.mark.parametrize("status", [429, 500])
def test_a_voucher_lexoffice_cannot_take_now_is_queued(connection, sandbox, owner, status) -> None:
    sandbox.set_faults([{"path": "^/v1/vouchers$", "method": "POST", "kind": "status", "status": status}])

    response = owner.post("/api/v1/vouchers/", {**VOUCHER, "connection": connection.pk}, format="json")

    assert response.status_code == 202
    assert response.json()["outbox"]["operation"] == "create_voucher"


def test_a_lexoffice_outage_on_a_read_is_not_a_server_error(synced, sandbox, owner) -> None:
    voucher = Voucher.objects.filter(connection=synced).first()
    sandbox.set_faults([{"path": ".*", "kind": "status", "status": 503}])

    assert owner.get(f"/api/v1/vouchers/{voucher.pk}/").status_code == 200  # reads come from the mirror
