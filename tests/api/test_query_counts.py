"""SQL queries per list request stay constant (≤ 3: token, connections, page) whatever the page size; an
unfiltered walk runs as prepared statements."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connections.models import Connection
from contacts.models import Contact
from tests.api.conftest import token_client
from tests.conftest import require
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db
ROWS = 300


@pytest.fixture
def big_mirror(alice, bob):
    books = Connection(name="Big", owner=alice)
    books.set_api_key("not-used")
    books.save()
    theirs = Connection(name="Theirs", owner=bob)
    theirs.set_api_key("not-used")
    theirs.save()
    now = timezone.now()
    for owner_connection in (books, theirs):
        contacts = Contact.objects.bulk_create(
            [
                Contact(
                    connection=owner_connection,
                    lexoffice_id=uuid.uuid4(),
                    name=f"Firma {i:04d}",
                    is_customer=True,
                    raw={
                        "roles": {"customer": {"number": 10000 + i}},
                        "company": {"name": f"Firma {i:04d}"},
                        "version": 1,
                    },
                )
                for i in range(ROWS)
            ]
        )
        Voucher.objects.bulk_create(
            [
                Voucher(
                    connection=owner_connection,
                    lexoffice_id=uuid.uuid4(),
                    voucher_type="purchaseinvoice",
                    voucher_status="open",
                    voucher_number=f"ER-{i:05d}",
                    voucher_date=now - timedelta(hours=i),
                    contact=contacts[i % ROWS],
                    contact_name=contacts[i % ROWS].name,
                    total_amount=i,
                )
                for i in range(ROWS)
            ]
        )
    return books


@pytest.mark.parametrize("path", ["/api/v1/vouchers/", "/api/v1/contacts/"])
def test_list_queries_are_constant_for_every_page_size(big_mirror, alice, path) -> None:
    client = token_client(alice)
    counts = {}
    for size in (10, 50, 250):
        with CaptureQueriesContext(db) as queries:
            response = client.get(path, {"pageSize": size})
        assert response.status_code == 200
        rows = response.json()["results"]
        assert len(rows) == size
        assert {row["connection"] for row in rows} == {big_mirror.pk}
        counts[size] = len(queries)
        with CaptureQueriesContext(db) as queries:  # the next page costs the same
            assert client.get(response.json()["next"]).status_code == 200
        counts[f"{size} next"] = len(queries)

    assert set(counts.values()) == {counts[10]}, counts
    assert counts[10] <= 3, counts


def test_the_voucher_list_carries_the_contact_without_extra_queries(big_mirror, alice) -> None:
    with CaptureQueriesContext(db) as queries:
        rows = token_client(alice).get("/api/v1/vouchers/", {"pageSize": 250}).json()["results"]

    assert all(row["contact"]["name"] == row["contactName"] for row in rows)
    assert not any("contacts_contact" in q["sql"] and "vouchers_voucher" not in q["sql"] for q in queries)


def walk(client, url: str) -> list[int]:
    """The ids of every page, following `next` from `url`."""
    seen = []
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    return seen


@pytest.mark.parametrize("ordering", ["-voucherDate", "voucherDate", "totalAmount", "-voucherNumber"])
def test_paging_visits_every_row_once_even_with_undated_vouchers(big_mirror, alice, ordering) -> None:
    Voucher.objects.filter(connection=big_mirror, voucher_number__endswith="7").update(
        voucher_date=None, total_amount=None
    )
    seen = walk(token_client(alice), f"/api/v1/vouchers/?pageSize=37&ordering={ordering}")

    assert sorted(seen) == sorted(Voucher.objects.filter(connection=big_mirror).values_list("pk", flat=True))


def prepared_statements_on_this_connection() -> list[tuple[str, int]]:
    with db.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans FROM pg_prepared_statements")
        return cursor.fetchall()


@pytest.mark.parametrize(
    ("path", "ordering", "model", "order_by"),
    [
        ("/api/v1/vouchers/", "-voucherDate", Voucher, ("-voucher_date", "-id")),
        ("/api/v1/contacts/", "name", Contact, ("name", "id")),
    ],
)
def test_an_unfiltered_walk_is_prepared_and_pages_alike_on_a_generic_plan(
    big_mirror, alice, settings, path, ordering, model, order_by
) -> None:
    require(db.vendor == "postgresql", "PostgreSQL (DATABASE_URL) for prepared statements")
    client, table, url = token_client(alice), model._meta.db_table, f"{path}?pageSize=37&ordering={ordering}"

    with db.cursor() as cursor:  # the plan PostgreSQL keeps after five executions, from the first one
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    prepared = walk(client, url)
    walks = [s for s, generic in prepared_statements_on_this_connection() if table in s and generic > 0]
    assert len(walks) >= 1  # the first page's statement and the one with a cursor
    before = {statement for statement, _generic in prepared_statements_on_this_connection()}
    searched = client.get(path, {"search": "1", "pageSize": 5}).json()  # a filter: planned for its values
    assert len(searched["results"]) == 5 and client.get(searched["next"]).status_code == 200
    assert {statement for statement, _generic in prepared_statements_on_this_connection()} == before

    settings.LEXHUB_PREPARED_STATEMENTS = False
    expected = list(model.objects.filter(connection=big_mirror).order_by(*order_by).values_list("pk", flat=True))
    assert walk(client, url) == prepared == expected


@pytest.mark.parametrize(
    ("ordering", "field"),
    [
        ("-voucherDate", "voucher_date"),
        ("voucherDate", "voucher_date"),
        ("totalAmount", "total_amount"),
        ("-totalAmount", "total_amount"),
        ("-voucherNumber", "voucher_number"),
        ("updatedDate", "remote_updated_at"),
    ],
)
def test_a_walk_compiled_once_pages_exactly_like_the_orm(big_mirror, alice, ordering, field, monkeypatch) -> None:
    from django.db.models import F

    from vouchers.api import VoucherViewSet
    from web import compiled_walks

    monkeypatch.setattr(compiled_walks, "_walks", {})
    Voucher.objects.filter(connection=big_mirror).update(remote_updated_at=F("voucher_date"))
    Voucher.objects.filter(connection=big_mirror, voucher_number__endswith="7").update(
        voucher_date=None, total_amount=None, remote_updated_at=None
    )  # a NULL block to page into and out of
    Voucher.objects.filter(connection=big_mirror, voucher_number__endswith="3").update(total_amount=5)  # ties
    seen = walk(token_client(alice), f"/api/v1/vouchers/?pageSize=13&ordering={ordering}")

    descending = ordering.startswith("-")
    order = (F(field).desc(nulls_first=True), "-id") if descending else (F(field).asc(nulls_last=True), "id")
    assert seen == list(Voucher.objects.filter(connection=big_mirror).order_by(*order).values_list("pk", flat=True))
    kept = {shape[4] for shape, walk in compiled_walks._walks.items() if shape[1] is VoucherViewSet and walk}
    nullable = Voucher._meta.get_field(field).null
    assert kept == {"first", "value", *(["null"] if nullable else [])}  # every page compiled, none fell back


def test_a_walk_whose_stand_in_cannot_be_kept_is_compiled_per_request(big_mirror, alice, monkeypatch) -> None:
    from web import compiled_walks

    monkeypatch.setattr(compiled_walks, "_walks", {})
    monkeypatch.setattr(compiled_walks, "_VALUE_MARKERS", {})  # no stand-in for a date: nothing to keep
    seen = walk(token_client(alice), "/api/v1/vouchers/?pageSize=100")

    assert seen == list(
        Voucher.objects.filter(connection=big_mirror).order_by("-voucher_date", "-id").values_list("pk", flat=True)
    )
    assert {shape[4]: walk is not None for shape, walk in compiled_walks._walks.items()} == {
        "first": True,
        "value": False,
    }


def test_a_walk_over_two_connections_is_compiled_for_two_and_pages_like_the_orm(
    big_mirror, alice, bob, monkeypatch
) -> None:
    from web import compiled_walks

    monkeypatch.setattr(compiled_walks, "_walks", {})
    theirs = Connection.objects.get(owner=bob, name="Theirs")
    theirs.members.add(alice)
    client = token_client(alice)
    seen = walk(client, "/api/v1/vouchers/?pageSize=50&ordering=totalAmount")

    expected = Voucher.objects.filter(connection__in=[big_mirror, theirs]).order_by("total_amount", "id")
    assert seen == list(expected.values_list("pk", flat=True))
    assert {shape[-1] for shape, walk in compiled_walks._walks.items() if walk} == {2}
    assert client.get("/api/v1/vouchers/", {"pageSize": 5}).json()["results"]  # and a first page as well
