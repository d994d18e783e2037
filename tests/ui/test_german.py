"""German first: a browser that asks for German (or for nothing) gets German words, amounts and dates; English
on request or by the header's switch. The voucher and invoice lists show the totals of their whole filter."""

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.test import Client

from connections.mirror import bulk_upsert
from vouchers.models import BOOKKEEPING_TYPES, Voucher

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture
def vouchers(connection) -> list[Voucher]:
    rows = []
    for n in range(60):
        rows.append(
            Voucher(
                connection=connection,
                lexoffice_id=uuid.uuid4(),
                voucher_type=("purchaseinvoice", "salesinvoice", "invoice", "creditnote")[n % 4],
                voucher_status=("open", "paid", "overdue")[n % 3],
                voucher_number=f"RE-{n:04d}",
                voucher_date=datetime(2025, 11, 4 + n % 20, 10, tzinfo=UTC),
                total_amount=Decimal("1234.56") + n * Decimal("100.10"),
                open_amount=Decimal("0.00") if n % 3 == 1 else Decimal("17.05") * n,
                currency="USD" if n % 10 == 9 else "EUR",
                contact_name=f"Kunde {n % 7}",
                archived=n % 5 == 0,
            )
        )
    return Voucher.objects.bulk_create(rows)


def _client(user, headers: dict) -> Client:
    client = Client(headers=headers)
    client.force_login(user)
    return client


def _totals(html: str) -> dict[str, tuple[str, str, str]]:
    """Per currency: (count line, gross, open) as the page shows them."""
    section = html[html.index('data-testid="totals"') :]
    section = section[: section.index("</section>")]
    found = {}
    for currency, body in re.findall(r'data-currency="([A-Z]{3})">(.*?)</p>', section, re.S):
        count = re.search(r"<span>([^<]+)</span>", body).group(1).strip()
        gross = re.search(r'data-testid="total-gross">([^<]+)<', body).group(1)
        open_ = re.search(r'data-testid="total-open">([^<]+)<', body).group(1)
        found[currency] = (count, gross, open_)
    return found


def _german_money(value: Decimal, currency: str) -> str:
    digits = f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{digits}\u00a0{'€' if currency == 'EUR' else '$'}"


def test_a_german_browser_gets_german_words_amounts_and_dates(alice, vouchers) -> None:
    html = _client(alice, GERMAN).get("/vouchers/", {"q": "RE-0000"}).content.decode()

    assert '<html lang="de">' in html
    assert "<h1>Belege</h1>" in html and ">Kontakte</a>" in html
    assert '<td data-label="Art">Eingangsrechnung</td>' in html  # not "purchaseinvoice"
    assert '<span class="badge warn">Offen</span>' in html  # not "open"
    assert "1.234,56\u00a0€" in html and "04.11.2025" in html
    assert "purchaseinvoice</td>" not in html and ">open<" not in html


def test_an_english_browser_and_the_switch_get_english(alice, vouchers) -> None:
    english = _client(alice, ENGLISH).get("/vouchers/", {"q": "RE-0000"}).content.decode()
    assert '<html lang="en">' in english and "<h1>Vouchers</h1>" in english
    assert ">Purchase invoice</td>" in english and "€1,234.56" in english and "11/04/2025" in english

    german = _client(alice, GERMAN)
    switched = german.post("/language/", {"language": "en", "next": "/vouchers/"})
    assert switched.status_code == 302 and switched["Location"] == "/vouchers/"
    assert "<h1>Vouchers</h1>" in german.get("/vouchers/").content.decode()  # the cookie beats the browser
    assert 'name="language" value="de"' in german.get("/vouchers/").content.decode()  # the way back


FILTERS = [
    ("/vouchers/", {}),
    ("/vouchers/", {"type": "purchaseinvoice"}),
    ("/vouchers/", {"status": "open", "archived": "no"}),
    ("/vouchers/", {"min": "2000", "max": "5000.5"}),
    ("/vouchers/", {"q": "Kunde 3", "from": "2025-11-05", "to": "2025-11-15"}),
    ("/invoices/", {}),
    ("/invoices/", {"type": "invoice", "status": "paid"}),
    ("/invoices/", {"sort": "-amount", "archived": "yes"}),
]


@pytest.mark.parametrize(("path", "query"), FILTERS)
def test_the_totals_are_those_of_every_row_the_filter_matches(alice, vouchers, path, query) -> None:
    rows = Voucher.objects.filter(
        voucher_type__in=("purchaseinvoice", "salesinvoice") if path == "/vouchers/" else ("invoice", "creditnote")
    )
    if "type" in query:
        rows = rows.filter(voucher_type=query["type"])
    if "status" in query:
        rows = rows.filter(voucher_status=query["status"])
    if "archived" in query:
        rows = rows.filter(archived=query["archived"] == "yes")
    if "min" in query:
        rows = rows.filter(total_amount__gte=Decimal(query["min"]), total_amount__lte=Decimal(query["max"]))
    if "q" in query:
        rows = rows.filter(contact_name__icontains=query["q"], voucher_date__day__gte=5, voucher_date__day__lte=15)
    expected = {
        row["currency"]: (
            row["n"],
            _german_money(row["gross"], row["currency"]),
            _german_money(row["open"], row["currency"]),
        )
        for row in rows.values("currency").annotate(n=Count("id"), gross=Sum("total_amount"), open=Sum("open_amount"))
    }
    assert expected, "the filter matches rows"

    shown = _totals(_client(alice, GERMAN).get(path, query).content.decode())

    assert {c: (int(re.sub(r"\D", "", n)), g, o) for c, (n, g, o) in shown.items()} == expected


def test_the_totals_follow_writes_to_the_mirror(
    alice, connection, vouchers, django_capture_on_commit_callbacks
) -> None:
    client = _client(alice, ENGLISH)
    before = _totals(client.get("/vouchers/", {"type": "purchaseinvoice"}).content.decode())["EUR"]
    with django_capture_on_commit_callbacks(execute=True):
        bulk_upsert(
            model=Voucher,
            connection=connection,
            rows={
                uuid.uuid4(): {
                    "voucher_type": "purchaseinvoice",
                    "voucher_status": "open",
                    "total_amount": Decimal("1000000.00"),
                    "open_amount": Decimal("1.00"),
                    "currency": "EUR",
                }
            },
        )

    after = _totals(client.get("/vouchers/", {"type": "purchaseinvoice"}).content.decode())["EUR"]

    count = int(re.sub(r"\D", "", before[0]))
    assert after[0] == f"{count + 1} vouchers"
    gross = Voucher.objects.filter(voucher_type="purchaseinvoice", currency="EUR").aggregate(s=Sum("total_amount"))
    assert after[1] == f"€{gross['s']:,.2f}" and after[1] != before[1]


def test_totals_slower_than_the_page_may_wait_follow_the_page(alice, connection, vouchers, monkeypatch) -> None:
    """A list does not wait for sums over a large account: over budget, the rows come first and the totals
    from the same list asked with totals=wait (which static/lexhub/totals.js fetches)."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import require
    from vouchers import listing

    require(db.vendor == "postgresql", "the sum's budget is a PostgreSQL statement timeout")
    columns = [f.column for f in Voucher._meta.concrete_fields if f.column not in ("id", "lexoffice_id")]
    with db.cursor() as cursor:  # 60 rows x 2,000: a sum over 120,000 rows takes well over 1 ms
        cursor.execute(
            f"INSERT INTO {Voucher._meta.db_table} (lexoffice_id, {', '.join(columns)}) "
            f"SELECT gen_random_uuid(), {', '.join(columns)} FROM {Voucher._meta.db_table}, generate_series(1, 2000)"
        )
    monkeypatch.setattr(listing, "PAGE_BUDGET_MS", 1)
    client = _client(alice, ENGLISH)

    page = client.get("/vouchers/", {"status": "open"}).content.decode()
    with CaptureQueriesContext(db) as second_view:  # known to be over budget: not tried again
        client.get("/vouchers/", {"status": "open"})
    follow = client.get("/vouchers/", {"status": "open", "totals": "wait"}).content.decode()
    again = client.get("/vouchers/", {"status": "open"}).content.decode()

    assert 'data-totals-url="/vouchers/?status=open&amp;totals=wait"' in page and _totals(page) == {}
    assert page.count('href="/vouchers/') >= 50  # the rows did not wait
    expected = (
        Voucher.objects.present()
        .filter(voucher_type__in=BOOKKEEPING_TYPES, voucher_status="open", currency="EUR")
        .aggregate(n=Count("id"), gross=Sum("total_amount"))
    )
    assert _totals(follow)["EUR"][:2] == (f"{expected['n']:,} vouchers", f"€{expected['gross']:,.2f}")
    assert not [q for q in second_view.captured_queries if "statement_timeout" in q["sql"]]
    assert "data-totals-url" not in again and _totals(again) == _totals(follow)  # kept for the next page view


def test_webhook_events_link_to_their_records_by_name(alice, connection, vouchers) -> None:
    from webhooks.models import WebhookEvent

    voucher = vouchers[1]
    WebhookEvent.objects.create(
        connection=connection, event_type="voucher.changed", resource_id=str(voucher.lexoffice_id), event_date="1"
    )
    WebhookEvent.objects.create(
        connection=connection, event_type="contact.deleted", resource_id="not-a-uuid", event_date="2"
    )

    html = _client(alice, GERMAN).get("/events/").content.decode()

    assert f'<a href="/vouchers/{voucher.pk}/">Ausgangsrechnung RE-0001</a>' in html
    assert "not-a-uuid" in html  # nothing to link to: the id as sent


def test_the_dashboard_counts_are_the_counts_of_the_lists_they_link_to(alice, vouchers) -> None:
    client = _client(alice, ENGLISH)
    home = client.get("/").content.decode()

    for path in ("/vouchers/", "/invoices/"):
        tile = re.search(rf'<a class="tile" href="{path}">.*?<div class="figure">([^<]+)</div>', home, re.S)
        listed = sum(int(re.sub(r"\D", "", n)) for n, _, _ in _totals(client.get(path).content.decode()).values())
        assert int(re.sub(r"\D", "", tile.group(1))) == listed == 30


@pytest.mark.django_db
def test_the_api_answers_in_english_unless_asked_for_a_language() -> None:
    tool = Client().get("/api/v1/vouchers/").json()
    german = Client(headers={"Accept-Language": "de"}).get("/api/v1/vouchers/").json()

    assert "credentials were not provided" in str(tool)
    assert "credentials were not provided" not in str(german) and str(german) != str(tool)
