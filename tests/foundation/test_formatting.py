"""One formatting helper for amounts and dates: German and English forms, other currencies, empty values."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from web.formatting import EMPTY, format_day, format_moment, format_money


@pytest.mark.parametrize(
    ("language", "value", "currency", "shown"),
    [
        ("de", Decimal("1234.56"), "EUR", "1.234,56\u00a0€"),
        ("en", Decimal("1234.56"), "EUR", "€1,234.56"),
        ("de", Decimal("-1714.3"), "EUR", "-1.714,30\u00a0€"),
        ("en", Decimal("-1714.3"), "EUR", "-€1,714.30"),
        ("de", "1771.8", "USD", "1.771,80\u00a0$"),
        ("en", 0, "CHF", "CHF\u00a00.00"),
        ("de", Decimal("1000000"), "CHF", "1.000.000,00\u00a0CHF"),
        ("de", None, "EUR", EMPTY),
    ],
)
def test_amounts_are_written_as_the_language_writes_them(language, value, currency, shown) -> None:
    with translation.override(language):
        assert format_money(value, currency) == shown


def test_dates_are_german_or_english_and_local() -> None:
    late_evening_utc = datetime(2025, 11, 3, 23, 30, tzinfo=UTC)  # already 4 November in Berlin
    with translation.override("de"):
        assert format_day(date(2025, 11, 4)) == "04.11.2025"
        assert format_day(late_evening_utc) == "04.11.2025"
        assert format_moment(late_evening_utc) == "04.11.2025 00:30"
        assert format_day(None) == EMPTY
    with translation.override("en"):
        assert format_day(date(2025, 11, 4)) == "11/04/2025"
