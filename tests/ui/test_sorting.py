"""Sort orders of the contact, voucher and invoice lists: keyset-paged in every order, with NULL as the
largest value and the id breaking ties, in a constant number of queries."""

import re
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection as db
from django.test import Client
from django.test.utils import CaptureQueriesContext

from connections.models import Connection
from contacts.models import Contact
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

ROWS = 120  # more than two pages of 50
START = datetime.fromisoformat("2026-01-01T10:00:00+01:00")


@pytest.fixture
def many_vouchers(connection) -> list[Voucher]:
    """Shuffled values with repeats (ties) and gaps (NULL / empty), so order and tie-breaking both show."""
    return Voucher.objects.bulk_create(
        [
            Voucher(
                connection=connection,
                lexoffice_id=uuid.uuid4(),
                voucher_type="purchaseinvoice",
                voucher_status="open",
                voucher_number="" if n % 17 == 0 else f"RE-{(n * 37) % 101:04d}",
                voucher_date=None if n % 13 == 0 else START + timedelta(days=(n * 7) % 40),
                total_amount=None if n % 11 == 0 else Decimal((n * 29) % 53) + Decimal("0.50"),
                contact_name=f"Lieferant {(n * 31) % 45:03d}",
            )
            for n in range(ROWS)
        ]
    )


@pytest.fixture
def many_contacts(connection) -> list[Contact]:
    return Contact.objects.bulk_create(
        [
            Contact(
                connection=connection,
                lexoffice_id=uuid.uuid4(),
                name=f"Firma {(n * 41) % 70:03d}",
                customer_number=None if n % 3 == 0 else 10000 + (n * 7) % 50,
                vendor_number=None if n % 4 == 0 else 70000 + (n * 11) % 60,
            )
            for n in range(ROWS)
        ]
    )


@pytest.fixture
def two_connections(connection, alice) -> list[Voucher]:
    """alice sees a second connection; vouchers are dealt between both, so pages interleave them."""
    second = Connection(name="Second", owner=alice)
    second.set_api_key("not-used-here")
    second.save()
    return Voucher.objects.bulk_create(
        [
            Voucher(
                connection=(connection, second)[n % 3 == 0],
                lexoffice_id=uuid.uuid4(),
                voucher_type="purchaseinvoice",
                voucher_status="open",
                voucher_number=f"RE-{(n * 37) % 101:04d}",
                voucher_date=None if n % 13 == 0 else START + timedelta(days=(n * 7) % 40),
                total_amount=None if n % 11 == 0 else Decimal((n * 29) % 53),
                contact_name=f"Lieferant {(n * 31) % 45:03d}",
            )
            for n in range(ROWS)
        ]
    )


def expected(rows: list, field: str, *, descending: bool) -> list[int]:
    """(field, id) order with NULL as the largest value, the rule of web.listing.seek."""

    def key(row) -> tuple:
        value = getattr(row, field)
        return (value is None, value if value is not None else 0, row.pk)

    return [row.pk for row in sorted(rows, key=key, reverse=descending)]


def walk(client: Client, path: str, params: dict) -> list[int]:
    seen, query = [], dict(params)
    for _ in range(10):
        page = client.get(path, query).context["page"]
        seen += [row.pk for row in page.rows]
        if not page.next_cursor:
            return seen
        query = {**params, "after": page.next_cursor}
    raise AssertionError("the pages did not end")


@pytest.mark.parametrize(
    ("sort", "field"),
    [
        ("-date", "voucher_date"),
        ("date", "voucher_date"),
        ("number", "voucher_number"),
        ("-number", "voucher_number"),
        ("-amount", "total_amount"),
        ("amount", "total_amount"),
        ("contact", "contact_name"),
        ("-contact", "contact_name"),
    ],
)
def test_every_voucher_order_pages_through_all_rows_in_order(alice_client, many_vouchers, sort, field) -> None:
    assert walk(alice_client, "/vouchers/", {"sort": sort}) == expected(
        many_vouchers, field, descending=sort.startswith("-")
    )


@pytest.mark.parametrize(
    ("sort", "field"),
    [
        ("name", "name"),
        ("-name", "name"),
        ("customer", "customer_number"),
        ("-customer", "customer_number"),
        ("vendor", "vendor_number"),
        ("-vendor", "vendor_number"),
    ],
)
def test_every_contact_order_pages_through_all_rows_in_order(alice_client, many_contacts, sort, field) -> None:
    # sorted by a number, the contacts without one are left out (else "highest first" starts with all of them)
    listed = [c for c in many_contacts if field == "name" or getattr(c, field) is not None]

    assert walk(alice_client, "/contacts/", {"sort": sort}) == expected(listed, field, descending=sort.startswith("-"))


def test_sorting_by_a_number_says_who_is_left_out(alice_client, many_contacts) -> None:
    by_number = alice_client.get("/contacts/", {"sort": "customer"}).content.decode()
    by_name = alice_client.get("/contacts/").content.decode()

    assert "only contacts with a Customer no. are listed" in by_number
    assert "are listed" not in by_name


@pytest.mark.parametrize(
    ("sort", "field"),
    [
        ("-date", "voucher_date"),
        ("number", "voucher_number"),
        ("-amount", "total_amount"),
        ("contact", "contact_name"),
    ],
)
@pytest.mark.parametrize("few_rows", [2000, 10], ids=["sorted together", "a query per connection"])
def test_the_rows_of_several_connections_page_as_one_list(
    alice_client, two_connections, sort, field, few_rows, monkeypatch
) -> None:
    monkeypatch.setattr("web.listing.FEW_ROWS", few_rows)

    assert walk(alice_client, "/vouchers/", {"sort": sort}) == expected(
        two_connections, field, descending=sort.startswith("-")
    )


@pytest.mark.parametrize("few_rows", [2000, 10], ids=["sorted together", "a query per connection"])
@pytest.mark.parametrize("sort", ["name", "-customer"])
def test_the_contacts_of_several_connections_page_as_one_list(
    alice_client, connection, alice, sort, few_rows, monkeypatch
) -> None:
    monkeypatch.setattr("web.listing.FEW_ROWS", few_rows)
    second = Connection(name="Second", owner=alice)
    second.set_api_key("not-used-here")
    second.save()
    contacts = Contact.objects.bulk_create(
        Contact(
            connection=(connection, second)[n % 3 == 0],
            lexoffice_id=uuid.uuid4(),
            name=f"Firma {(n * 41) % 70:03d}",
            customer_number=None if n % 5 == 0 else 10000 + (n * 7) % 50,
        )
        for n in range(ROWS)
    )
    field = "name" if sort == "name" else "customer_number"
    listed = [c for c in contacts if getattr(c, field) is not None]

    assert walk(alice_client, "/contacts/", {"sort": sort}) == expected(listed, field, descending=sort.startswith("-"))
    assert walk(alice_client, "/contacts/", {"sort": sort, "role": "vendor"}) == []


def test_sorting_keeps_the_filters_and_the_next_page_keeps_both(alice_client, many_vouchers) -> None:
    html = alice_client.get("/vouchers/", {"sort": "amount", "min": "10"}).content.decode()

    next_link = re.search(r'<a class="button" rel="next" href="([^"]+)">Next page</a>', html).group(1)
    rows = walk(alice_client, "/vouchers/", {"sort": "amount", "min": "10"})
    assert "sort=amount" in next_link and "min=10" in next_link
    assert rows == expected(
        [v for v in many_vouchers if v.total_amount is not None and v.total_amount >= 10],
        "total_amount",
        descending=False,
    )


def test_the_sorted_column_says_so_and_its_header_reverses_the_order(alice_client, many_vouchers) -> None:
    html = alice_client.get("/vouchers/", {"sort": "number", "status": "open"}).content.decode()

    sorted_header = re.search(r'<th scope="col" aria-sort="([a-z]+)"><a class="sort" href="([^"]+)">([^<]+)</a>', html)
    assert sorted_header.groups() == ("ascending", "?sort=-number&amp;status=open", "Number")
    assert html.count("aria-sort=") == 1
    assert '<option value="number" selected>Number, A to Z</option>' in html
    # other columns start in their natural direction: dates and amounts newest / highest first
    assert 'href="?sort=-amount&amp;status=open">Total</a>' in html
    assert 'href="?sort=contact&amp;status=open">Contact</a>' in html


def test_the_default_order_is_newest_first_and_unknown_sorts_fall_back_to_it(alice_client, many_vouchers) -> None:
    default = alice_client.get("/vouchers/").content.decode()
    unknown = alice_client.get("/vouchers/", {"sort": "-id; DROP TABLE"})

    assert 'aria-sort="descending"><a class="sort" href="?sort=date">Date</a>' in default
    assert [v.pk for v in unknown.context["page"].rows] == expected(many_vouchers, "voucher_date", descending=True)[:50]


def test_a_cursor_from_another_order_starts_the_list_over(alice_client, many_vouchers) -> None:
    cursor = alice_client.get("/vouchers/", {"sort": "number"}).context["page"].next_cursor

    page = alice_client.get("/vouchers/", {"sort": "-amount", "after": cursor}).context["page"]

    assert [v.pk for v in page.rows] == expected(many_vouchers, "total_amount", descending=True)[:50]


@pytest.mark.parametrize(
    ("path", "sort"),
    [
        ("/contacts/", "-customer"),
        ("/contacts/", "vendor"),
        ("/vouchers/", "amount"),
        ("/vouchers/", "-contact"),
        ("/invoices/", "number"),
        ("/invoices/", "-date"),
    ],
)
def test_sorted_pages_cost_the_same_queries_for_few_and_many_rows(alice_client, connection, path, sort) -> None:
    def queries_for_second_page() -> int:
        first = alice_client.get(path, {"sort": sort}).context["page"]
        with CaptureQueriesContext(db) as captured:
            alice_client.get(path, {"sort": sort, "after": first.next_cursor or ""})
        return len(captured)

    few = queries_for_second_page()
    Voucher.objects.bulk_create(
        [
            Voucher(
                connection=connection,
                lexoffice_id=uuid.uuid4(),
                voucher_type=kind,
                voucher_status="open",
                voucher_number=f"X-{n}",
                contact_name=f"C {n}",
                total_amount=Decimal(n),
            )
            for n in range(60)
            for kind in ("invoice", "purchaseinvoice")
        ]
    )
    Contact.objects.bulk_create(
        [
            Contact(connection=connection, lexoffice_id=uuid.uuid4(), name=f"K {n}", customer_number=n, vendor_number=n)
            for n in range(120)
        ]
    )
    many = queries_for_second_page()

    assert many == few <= 6  # session, user, connections subquery, page


@pytest.mark.parametrize("few_matches", [1000, 10])  # the matches sorted alone, or the sort index walked
@pytest.mark.parametrize("term", ["lieferant", "lieferant 01"])  # all 120 rows (three pages), or about 27
def test_a_search_is_sorted_and_paged_like_the_whole_list(
    alice_client, many_vouchers, monkeypatch, few_matches, term
) -> None:
    monkeypatch.setattr("web.listing.FEW_MATCHES", few_matches)
    matching = [v for v in many_vouchers if term in v.contact_name.lower()]

    rows = walk(alice_client, "/vouchers/", {"q": term, "sort": "-amount"})

    assert len(matching) > 10
    assert rows == expected(matching, "total_amount", descending=True)


def test_a_search_costs_one_query_more_whatever_it_matches(alice_client, many_vouchers) -> None:
    def queries(term: str) -> int:
        with CaptureQueriesContext(db) as captured:
            alice_client.get("/vouchers/", {"q": term, "sort": "number"})
        return len(captured)

    # the look-first step, the look-up of vouchers whose documents' text has the term, and (not cached yet) the totals
    assert queries("Lieferant 007") == queries("Lieferant") == queries("") + 2


@pytest.mark.parametrize("few_matches", [1000, 10])
def test_a_search_looks_first_at_every_match_but_lists_only_the_pages_own(
    alice_client, many_vouchers, connection, monkeypatch, few_matches
) -> None:
    """The look-first step asks the search alone (for the trigram index); the page applies every filter."""
    monkeypatch.setattr("web.listing.FEW_MATCHES", few_matches)
    Voucher.objects.bulk_create(
        [
            Voucher(  # sales documents: on /invoices/, never on /vouchers/
                connection=connection,
                lexoffice_id=uuid.uuid4(),
                voucher_type="invoice",
                voucher_status="open",
                voucher_number=f"RE-9{n:03d}",
                voucher_date=START,
                contact_name="Lieferant 001",
            )
            for n in range(20)
        ]
    )
    Voucher.objects.filter(pk=many_vouchers[0].pk).update(contact_name="Lieferant 001", voucher_status="paid")
    many_vouchers[0].refresh_from_db()
    matching = [v for v in many_vouchers if v.contact_name == "Lieferant 001" and v.voucher_status == "open"]

    rows = walk(alice_client, "/vouchers/", {"q": "lieferant 001", "status": "open"})

    assert 1 <= len(matching) < 10
    assert rows == expected(matching, "voucher_date", descending=True)
