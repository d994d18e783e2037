"""One formatting helper for amounts, counts and dates in the active language, as template filters
(`{% load formats %}`, registered in settings.TEMPLATES) and as plain functions.

German: `1.234,56 €`, `04.11.2025`; English: `€1,234.56`, `11/04/2025`. An empty value is an em dash."""

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import formats, timezone
from django.utils.translation import get_language

from web import labels

register = template.Library()

EMPTY = "\u2014"  # em dash
NBSP = "\u00a0"
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def _german() -> bool:
    return (get_language() or "de").split("-")[0] == "de"


def format_number(value: Decimal | float | int, *, places: int | None = None) -> str:
    """Grouped digits and the language's decimal mark; `places` fixes the decimals."""
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def format_money(value: Decimal | float | int | str | None, currency: str | None = "EUR") -> str:
    if value is None or value == "":
        return EMPTY
    amount = Decimal(str(value))
    digits = format_number(abs(amount), places=2)
    code = (currency or "EUR").upper()
    symbol = SYMBOLS.get(code)
    sign = "-" if amount < 0 else ""
    if _german():
        return f"{sign}{digits}{NBSP}{symbol or code}"
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{code}{NBSP}{digits}"


def format_day(value: date | datetime | None) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def format_moment(value: datetime | None) -> str:
    if value is None:
        return EMPTY
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATETIME_FORMAT")


@register.filter
def money(value: Decimal | float | int | str | None, currency: str | None = "EUR") -> str:
    """`{{ v.total_amount|money:v.currency }}`"""
    return format_money(value, currency)


@register.filter
def number(value: Decimal | float | int | str | None, places: int | None = None) -> str:
    if value is None or value == "":
        return EMPTY
    return format_number(Decimal(str(value)), places=places)


@register.filter
def integer(value: int | None) -> str:
    return EMPTY if value is None else format_number(value, places=0)


@register.filter
def day(value: date | datetime | None) -> str:
    return format_day(value)


@register.filter
def moment(value: datetime | None) -> str:
    return format_moment(value)


@register.filter
def is_under(path: str, prefix: str) -> bool:
    """The navigation's current page: the dashboard only at "/", any other section with its subpages."""
    return path == prefix if prefix == "/" else path.startswith(prefix)


@register.filter
def audit_action(code: str | None) -> str:
    return labels.label(labels.AUDIT_ACTIONS, code)


@register.filter
def audit_result(code: str | None) -> str:
    return labels.label(labels.AUDIT_RESULTS, code)


@register.filter
def country(code: str | None) -> str:
    return labels.label(labels.COUNTRIES, code)


@register.filter
def sync_phase(code: str | None) -> str:
    return labels.label(labels.SYNC_PHASES, code)


@register.filter
def contact_kind(code: str | None) -> str:
    return labels.label(labels.CONTACT_KINDS, code)
