"""Amounts, quantities and dates of an e-invoice in the reader's locale (German: 1.714,34 €, 04.11.2025)."""

from datetime import date
from decimal import Decimal

from django import template
from django.utils import formats

from einvoices import labels

register = template.Library()


@register.filter
def money(value: Decimal | None, currency: str = "EUR") -> str:
    if value is None:
        return "—"
    number = formats.number_format(value, 2, use_l10n=True, force_grouping=True)
    return f"{number} {'€' if currency == 'EUR' else currency}"


@register.filter
def quantity(value: Decimal | None) -> str:
    if value is None:
        return "—"
    places = max(0, -int(value.normalize().as_tuple().exponent))
    return formats.number_format(value, min(places, 4), use_l10n=True, force_grouping=True)


@register.filter
def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{quantity(value)} %"


@register.filter
def day(value: date | None) -> str:
    return "—" if value is None else formats.date_format(value, "SHORT_DATE_FORMAT", use_l10n=True)


@register.filter
def type_label(code: str) -> str:
    return labels.label(labels.TYPE_CODES, code)


@register.filter
def category_label(code: str) -> str:
    return labels.label(labels.TAX_CATEGORIES, code)


@register.filter
def unit_label(code: str) -> str:
    return labels.label(labels.UNITS, code)


@register.filter
def means_label(code: str) -> str:
    return labels.label(labels.PAYMENT_MEANS, code)


@register.filter
def profile_label(code: str) -> str:
    return labels.PROFILES.get(code, code or "—")
