"""The period export's rules: which range a choice means, which documents it holds, what each one books.

The package itself (files, index, DATEV batch, ZIP written aside and moved into place) is reports/package.py.
"""

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from connections.models import Connection
from reports import datev
from reports.models import AccountMapping
from vouchers.models import BOOKKEEPING_TYPES, Voucher, dated_between

SALES_TYPES = ("invoice", "downpaymentinvoice", "creditnote")
PERIOD_TYPES = BOOKKEEPING_TYPES + SALES_TYPES
REVENUE_TYPES = ("salesinvoice", "invoice", "downpaymentinvoice")
SALES_CREDIT_TYPES = ("salescreditnote", "creditnote")
NOT_BOOKED = ("voided", "unchecked", "blank", "draft")
MAX_DAYS = 366


class ExportRefused(Exception):
    """Input the export cannot work with; `message` is shown as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def period_range(
    *, kind: str, year: int, number: int = 1, start: date | None = None, end: date | None = None
) -> tuple[date, date]:
    """The days a choice means: a month (1-12), a quarter (1-4), a year, or a free range."""
    if kind == "month" and 1 <= number <= 12:
        return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
    if kind == "quarter" and 1 <= number <= 4:
        last = number * 3
        return date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1])
    if kind == "year":
        return date(year, 1, 1), date(year, 12, 31)
    if kind == "free" and start is not None and end is not None:
        return start, end
    raise ExportRefused(_("Choose a month, a quarter, a year, or both dates of a free range."))


def check_range(start: date, end: date) -> None:
    if end < start:
        raise ExportRefused(_("The range ends before it starts: swap the dates."))
    if start.year != end.year:
        raise ExportRefused(_("A DATEV batch covers one fiscal year: export each calendar year on its own."))
    if (end - start).days >= MAX_DAYS:
        raise ExportRefused(_("Choose at most one year."))


def period_documents(connection: Connection, start: date, end: date) -> QuerySet:
    """The period's bookkeeping vouchers and invoices (drafts have no document yet), oldest first."""
    return (
        Voucher.objects.present()
        .filter(connection=connection, voucher_type__in=PERIOD_TYPES)
        .exclude(voucher_status="draft")
        .filter(dated_between(start, end))
        .select_related("contact")
        .order_by("voucher_date", "id")
    )


def check_mapping(connection: Connection, chart: str) -> dict[str, str]:
    """The user's mapping for this chart; an account that is not a G/L account of this length refuses the export."""
    if chart not in datev.CHARTS:
        raise ExportRefused(_("Choose SKR03 or SKR04."))
    mapping = {}
    for row in AccountMapping.objects.filter(connection=connection, chart=chart):
        if not datev.valid_ledger_account(row.account):
            raise ExportRefused(
                _("The mapping of %(category)s names account %(account)s, which is not a %(length)s-digit G/L account.")
                % {
                    "category": row.category_name or row.category_id,
                    "account": row.account,
                    "length": datev.ACCOUNT_LENGTH,
                }
            )
        mapping[row.category_id] = row.account
    return mapping


@dataclass
class Line:
    category: str  # Lexoffice categoryId, or sales:<taxType>
    rate: Decimal
    net: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


@dataclass
class Accounts:
    """Which account a category books to: the user's mapping, else the default for the category's name."""

    chart: str
    mapping: dict[str, str]
    names: dict[str, str] = field(default_factory=dict)

    def name(self, category: str) -> str:
        return self.names.get(category) or datev.SALES_CATEGORIES.get(category) or category

    def account(self, category: str) -> str | None:
        if category in self.mapping:
            return self.mapping[category]
        if category in datev.SALES_CATEGORIES:
            return datev.SALES_DEFAULTS[self.chart].get(category)
        return datev.DEFAULT_ACCOUNTS[self.chart].get(self.names.get(category, ""))


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def voucher_lines(details: dict) -> list[Line]:
    """A bookkeeping voucher's items summed per category and tax rate (amounts are gross or net by taxType)."""
    gross_mode = details.get("taxType") != "net"
    lines: dict[tuple[str, Decimal], Line] = {}
    for item in details.get("voucherItems") or []:
        rate = Decimal(str(item.get("taxRatePercent") or 0)).normalize()
        line = lines.setdefault((item.get("categoryId") or "", rate), Line(item.get("categoryId") or "", rate))
        amount, tax = _money(item.get("amount")), _money(item.get("taxAmount"))
        line.net += amount - tax if gross_mode else amount
        line.tax += tax
    return list(lines.values())


def sales_lines(raw: dict) -> list[Line]:
    """An invoice's tax amounts per rate, under the pseudo-category of its tax type."""
    category = "sales:" + ((raw.get("taxConditions") or {}).get("taxType") or "net")
    return [
        Line(
            category,
            Decimal(str(entry.get("taxRatePercentage") or 0)).normalize(),
            _money(entry.get("netAmount")),
            _money(entry.get("taxAmount")),
        )
        for entry in raw.get("taxAmounts") or []
    ]


def bookings_for(voucher: Voucher, lines: list[Line], accounts: Accounts) -> tuple[list[datev.Booking], list[str]]:
    """One booking per tax rate (and category); the reasons a line could not be booked."""
    if voucher.voucher_status in NOT_BOOKED:
        return [], []
    purchase = voucher.voucher_type.startswith("purchase")
    contact = voucher.contact
    if purchase:
        personal = datev.creditor_account(contact.vendor_number if contact else None)
        debit = voucher.voucher_type == "purchasecreditnote"
        keys = datev.INPUT_TAX_KEYS
    else:
        personal = datev.debtor_account(contact.customer_number if contact else None)
        debit = voucher.voucher_type in REVENUE_TYPES
        keys = datev.OUTPUT_TAX_KEYS
    day = timezone.localtime(voucher.voucher_date).date() if voucher.voucher_date else timezone.localdate()
    due = timezone.localtime(voucher.due_date).date() if voucher.due_date else None
    bookings, problems = [], []
    for line in lines:
        account = accounts.account(line.category)
        if account is None:
            problems.append(
                _("Category “%(name)s” has no account in the mapping.") % {"name": accounts.name(line.category)}
            )
            continue
        key = "" if line.rate == 0 else keys.get(line.rate)
        if key is None:
            problems.append(_("No DATEV tax key for %(rate)s %%.") % {"rate": line.rate})
            continue
        if line.gross == 0:
            continue
        positive = line.gross > 0
        text = f"{voucher.contact_name} {voucher.voucher_number}".strip()
        bookings.append(
            datev.Booking(
                abs(line.gross), debit == positive, personal, account, key, day, voucher.voucher_number, text, due
            )
        )
    return bookings, problems


def safe_part(text: str, limit: int = 60) -> str:
    """A file name part of letters, digits, - and _ only (umlauts transliterated, the rest dropped)."""
    text = text.replace("ß", "ss")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_text).strip("-_")[:limit] or "x"
