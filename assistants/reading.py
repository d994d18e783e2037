"""The read tools' answers, from the mirror only: no call here reaches Lexoffice.

Plain functions of a Principal (its connections scope every query) returning compact JSON-ready dicts:
names instead of ids where an assistant needs them, amounts as decimal strings, dates as ISO days, and a
link to the record's Lexhub page. Lists page by keyset: `nextCursor` is an opaque string to pass back.
"""

import base64
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.urls import reverse

from assistants.principal import Principal
from connections.models import Connection
from contacts.models import Contact
from contacts.models import matching as contact_matching
from invoices.models import SalesDocument
from vouchers.models import BOOKKEEPING_TYPES, SALES_TYPES, STATUSES, Voucher, dated_between
from vouchers.models import matching as voucher_matching

MAX_PAGE = 50
DEFAULT_PAGE = 20
MAX_TEXT = 300  # a note or a line's text is cut here: answers stay small
VOUCHER_TYPES = (*BOOKKEEPING_TYPES, *SALES_TYPES)
INVOICE_TYPES = ("invoice", "downpaymentinvoice", "creditnote", "salesinvoice", "salescreditnote")


class BadArgument(ValueError):
    """An argument the tool cannot use; the message says which and why."""


# --- formatting ----------------------------------------------------------------------------------


def amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def day(value: datetime | None) -> str | None:
    return None if value is None else value.date().isoformat()


def cut(text: object) -> str:
    text = str(text or "")
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def link(name: str, pk: int) -> str:
    before, after = link_pattern(name)
    return f"{before}{pk}{after}"


@cache
def link_pattern(name: str) -> tuple[str, str]:
    """A detail page's address around its id, reversed once per process (50 reverse() calls were a tenth of
    a list's time)."""
    marker = 987654321
    before, after = (settings.PUBLIC_BASE_URL + reverse(name, args=[marker])).split(str(marker))
    return before, after


def connection_names(principal: Principal) -> dict[int, str]:
    return dict(Connection.objects.filter(pk__in=principal.connection_ids).values_list("pk", "name"))


# --- paging --------------------------------------------------------------------------------------


def page_size(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_PAGE
    if not 1 <= limit <= MAX_PAGE:
        raise BadArgument(f"limit must be between 1 and {MAX_PAGE}.")
    return limit


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def decode_cursor(cursor: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeError):
        raise BadArgument("cursor is not one this tool returned.") from None
    if not isinstance(values, list) or len(values) != 2 or not isinstance(values[1], int):
        raise BadArgument("cursor is not one this tool returned.")
    return values


def paged(
    rows: "QuerySet[Any]", size: int, key: Callable[[Any], list[Any]], shape: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """One page of `rows` (already ordered and past the cursor) and the cursor of the next."""
    found = list(rows[: size + 1])
    page = found[:size]
    return {
        "results": [shape(row) for row in page],
        "nextCursor": encode_cursor(key(page[-1])) if len(found) > size else None,
    }


def parse_day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadArgument(f"{name} must be a day as YYYY-MM-DD.") from None


# --- contacts ------------------------------------------------------------------------------------


def search_contacts(
    principal: Principal,
    *,
    text: str | None = None,
    role: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    size = page_size(limit)
    rows = Contact.objects.filter(connection_id__in=principal.connection_ids).present()
    if text and text.strip():
        rows = rows.filter(contact_matching(text))
    if role not in (None, "", "customer", "vendor"):
        raise BadArgument("role must be customer or vendor.")
    if role:
        rows = rows.filter(**{f"is_{role}": True})
    if cursor:
        name, pk = decode_cursor(cursor)
        rows = rows.filter(Q(name__gt=name) | Q(name=name, pk__gt=pk))
    names = connection_names(principal)
    return paged(
        rows.order_by("name", "pk").defer("raw"), size, lambda c: [c.name, c.pk], lambda c: contact_row(c, names)
    )


def contact_row(contact: Contact, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "name": contact.name,
        "numbers": contact.numbers,
        "roles": [role for role, on in (("customer", contact.is_customer), ("vendor", contact.is_vendor)) if on],
        "email": contact.email,
        "city": contact.city,
        "archived": contact.archived,
        "connection": names.get(contact.connection_id, ""),
        "url": link("contacts:detail", contact.pk),
    }


def get_contact(principal: Principal, *, contact_id: int) -> dict[str, Any]:
    contact = Contact.objects.filter(connection_id__in=principal.connection_ids, pk=contact_id).present().first()
    if contact is None:
        raise BadArgument(f"No contact {contact_id} in your connections.")
    raw = contact.raw or {}
    return contact_row(contact, connection_names(principal)) | {
        "lexofficeId": str(contact.lexoffice_id),
        "version": contact.version,
        "phone": contact.phone,
        "note": cut(raw.get("note")),
        "addresses": raw.get("addresses") or {},
        "emailAddresses": raw.get("emailAddresses") or {},
        "openItems": voucher_list(
            principal,
            Voucher.objects.filter(contact=contact, voucher_status__in=("open", "overdue")).present(),
            cursor=None,
            size=MAX_PAGE,
        )["results"],
    }


# --- vouchers and invoices -----------------------------------------------------------------------


def search_vouchers(
    principal: Principal,
    *,
    kinds: tuple[str, ...] = VOUCHER_TYPES,
    text: str | None = None,
    voucher_type: str | None = None,
    status: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    contact_id: int | None = None,
    min_open_amount: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    size = page_size(limit)
    rows = Voucher.objects.filter(connection_id__in=principal.connection_ids).present()
    if voucher_type:
        if voucher_type not in kinds:
            raise BadArgument(f"type must be one of: {', '.join(kinds)}.")
        rows = rows.filter(voucher_type=voucher_type)
    else:
        rows = rows.filter(voucher_type__in=kinds)
    if status:
        if status not in STATUSES:
            raise BadArgument(f"status must be one of: {', '.join(STATUSES)}.")
        rows = rows.filter(voucher_status=status)
    if text and text.strip():
        rows = rows.filter(voucher_matching(text.strip()))
    start, end = parse_day(date_from, "dateFrom"), parse_day(date_to, "dateTo")
    if start or end:
        rows = rows.filter(dated_between(start, end))
    if contact_id is not None:
        rows = rows.filter(contact_id=contact_id)
    if min_open_amount:
        try:
            rows = rows.filter(open_amount__gte=Decimal(min_open_amount))
        except ArithmeticError:
            raise BadArgument("minOpenAmount must be a number such as 100.50.") from None
    return voucher_list(principal, rows, cursor=cursor, size=size)


def voucher_list(principal: Principal, rows: "QuerySet[Any]", *, cursor: str | None, size: int) -> dict[str, Any]:
    """Newest first (the (connection, -voucher_date, -id) index's order; undated ones first, as there)."""
    if cursor:
        when, pk = decode_cursor(cursor)
        if when is None:
            rows = rows.filter(Q(voucher_date__isnull=True, pk__lt=pk) | Q(voucher_date__isnull=False))
        else:
            moment = datetime.fromisoformat(when)
            rows = rows.filter(Q(voucher_date__lt=moment) | Q(voucher_date=moment, pk__lt=pk))
    names = connection_names(principal)
    return paged(
        rows.order_by(F("voucher_date").desc(nulls_first=True), "-pk").defer("raw", "details"),  # not shown in lists
        size,
        lambda v: [v.voucher_date.isoformat() if v.voucher_date else None, v.pk],
        lambda v: voucher_row(v, names),
    )


def voucher_row(voucher: Voucher, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": voucher.pk,
        "type": voucher.voucher_type,
        "number": voucher.voucher_number,
        "date": day(voucher.voucher_date),
        "dueDate": day(voucher.due_date),
        "status": voucher.voucher_status,
        "contact": voucher.contact_name,
        "contactId": voucher.contact_id,
        "total": amount(voucher.total_amount),
        "open": amount(voucher.open_amount),
        "currency": voucher.currency,
        "connection": names.get(voucher.connection_id, ""),
        "url": link("vouchers:detail", voucher.pk),
    }


def get_voucher(principal: Principal, *, voucher_id: int) -> dict[str, Any]:
    """One voucher or sales document with its lines, files' names and remark."""
    voucher = Voucher.objects.filter(connection_id__in=principal.connection_ids, pk=voucher_id).present().first()
    if voucher is None:
        raise BadArgument(f"No voucher {voucher_id} in your connections.")
    document = SalesDocument.objects.filter(voucher=voucher).first()
    details = (document.raw if document is not None else voucher.details) or {}
    return voucher_row(voucher, connection_names(principal)) | {
        "lexofficeId": str(voucher.lexoffice_id),
        "version": voucher.version,
        "lines": [line_row(item) for item in (details.get("voucherItems") or details.get("lineItems") or [])[:100]],
        "files": list(voucher.files.order_by("pk").values_list("filename", flat=True)),
        "remark": cut(details.get("remark") or details.get("introduction")),
    }


def line_row(item: dict[str, Any]) -> dict[str, Any]:
    price = item.get("unitPrice") or {}
    return {
        key: value
        for key, value in {
            "name": cut(item.get("name")) or None,
            "quantity": item.get("quantity"),
            "unitPrice": price.get("netAmount", price.get("grossAmount")),
            "amount": item.get("amount", item.get("lineItemAmount")),
            "taxRatePercent": item.get("taxRatePercent", price.get("taxRatePercentage")),
        }.items()
        if value is not None
    }
