"""DATEV bookings from Lexoffice documents: dates in Berlin time, one booking per tax rate, keys and sides."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

from reports import datev, period
from tests.reports import datev_checker
from vouchers.models import Voucher

BERLIN = ZoneInfo("Europe/Berlin")
GOODS = "8f8664a8-fd86-11e1-a21f-0800200c9a66"


def voucher(kind: str, when: datetime) -> Voucher:
    return Voucher(
        voucher_type=kind,
        voucher_status="open",
        voucher_number='RE/2024-01 "A"',
        contact_name="Café Müller",
        voucher_date=when,
    )


def test_a_voucher_dated_berlin_midnight_books_on_its_own_day_once_per_tax_rate() -> None:
    details = {
        "taxType": "gross",
        "voucherItems": [
            {"amount": 119, "taxAmount": 19, "taxRatePercent": 19, "categoryId": GOODS},
            {"amount": 10.7, "taxAmount": 0.7, "taxRatePercent": 7, "categoryId": GOODS},
            {"amount": 11.9, "taxAmount": 1.9, "taxRatePercent": 19, "categoryId": GOODS},
        ],
    }
    accounts = period.Accounts("SKR03", {}, {GOODS: "Warenverkäufe"})
    sale = voucher("salesinvoice", datetime(2024, 3, 1, tzinfo=BERLIN))

    bookings, problems = period.bookings_for(sale, period.voucher_lines(details), accounts)

    assert problems == []
    assert [(b.amount, b.tax_key, b.counter_account, b.debit, b.account) for b in bookings] == [
        (Decimal("130.90"), "3", "8200", True, "10000"),
        (Decimal("10.70"), "2", "8200", True, "10000"),
    ]
    assert {b.day for b in bookings} == {date(2024, 3, 1)}
    header = datev.header_line(
        created=datetime(2024, 4, 2, 9, 30, tzinfo=BERLIN), consultant=29098, client=55003,
        start=date(2024, 3, 1), end=date(2024, 3, 31), chart="SKR03", title="März", user="alice",
    )  # fmt: skip
    rows = datev_checker.check(b"".join(datev.batch_bytes(header, bookings)))
    assert [r[9] for r in rows] == ["0103", "0103"]
    assert rows[0][10] == '"RE/2024-01A"' and rows[0][13] == '"Café Müller RE/2024-01 ""A"""'


def test_a_purchase_credits_the_creditor_and_an_unmapped_category_is_listed_not_guessed() -> None:
    details = {"taxType": "net", "voucherItems": [
        {"amount": 100, "taxAmount": 19, "taxRatePercent": 19, "categoryId": "office"},
        {"amount": 50, "taxAmount": 0, "taxRatePercent": 0, "categoryId": "mystery"},
    ]}  # fmt: skip
    accounts = period.Accounts("SKR04", {}, {"office": "Bürobedarf", "mystery": "Sonstiges Unbekanntes"})

    bookings, problems = period.bookings_for(
        voucher("purchaseinvoice", datetime(2024, 5, 31, 23, 30, tzinfo=BERLIN)),
        period.voucher_lines(details),
        accounts,
    )

    assert [(b.amount, b.tax_key, b.counter_account, b.debit, b.account, b.day) for b in bookings] == [
        (Decimal("119.00"), "9", "6815", False, "70000", date(2024, 5, 31))
    ]
    # in the export's language, the deployment's (German by default)
    assert problems == [
        gettext("Category “%(name)s” has no account in the mapping.") % {"name": "Sonstiges Unbekanntes"}
    ]


def test_the_batch_is_windows_1252_with_the_documented_header() -> None:
    header = datev.header_line(
        created=datetime(2024, 4, 2, 9, 30, 1, 123000, tzinfo=BERLIN), consultant=1001, client=1,
        start=date(2024, 1, 1), end=date(2024, 3, 31), chart="SKR04", title="Q1", user="bö",
    )  # fmt: skip
    data = b"".join(datev.batch_bytes(header, []))
    assert data.startswith(b'"EXTF";700;21;"Buchungsstapel";13;20240402093001123;;"RE";"b\xf6";')
    assert len(data.split(b"\r\n")[1].split(b";")) == 125
    datev_checker.check(data)
