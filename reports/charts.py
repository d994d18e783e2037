"""Money at a glance: income and expenses per month, receivables still open by month due, top customers and
suppliers. Numbers from the mirror; drawn as plain SVG on the server (no script), each with its table."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.html import escape

from reports.openitems import RECEIVABLE_TYPES
from vouchers.models import Voucher, dated_between

INCOME_TYPES = ("salesinvoice", "invoice", "downpaymentinvoice")
INCOME_CREDITS = ("salescreditnote", "creditnote")
EXPENSE_TYPES = ("purchaseinvoice",)
EXPENSE_CREDITS = ("purchasecreditnote",)
COUNTED = INCOME_TYPES + INCOME_CREDITS + EXPENSE_TYPES + EXPENSE_CREDITS
NOT_COUNTED = ("draft", "voided", "unchecked", "blank")
ZERO = Decimal("0.00")


@dataclass
class Month:
    key: str  # YYYY-MM
    income_gross: Decimal = ZERO
    income_net: Decimal = ZERO
    expenses_gross: Decimal = ZERO
    expenses_net: Decimal = ZERO


def counted_vouchers(
    *, connection_ids: list[int], start: date, end: date, types: tuple[str, ...] = COUNTED
) -> QuerySet:
    return (
        Voucher.objects.present()
        .filter(connection_id__in=connection_ids, voucher_type__in=types)
        .exclude(voucher_status__in=NOT_COUNTED)
        .filter(dated_between(start, end))
    )


def _tax(voucher_type: str, details: dict | None, sales_tax: Decimal | None) -> Decimal | None:
    if voucher_type in ("invoice", "downpaymentinvoice", "creditnote"):
        return sales_tax
    value = (details or {}).get("totalTaxAmount")
    return None if value is None else Decimal(str(value))


def months(*, connection_ids: list[int], start: date, end: date, types: tuple[str, ...] = COUNTED) -> list[Month]:
    """Per month of the voucher date: income and expenses, gross and net (credit notes subtract).
    Net is gross minus the document's tax; where the mirror has no tax (no detail fetched), net equals gross."""
    by_month: dict[str, Month] = {}
    cursor = date(start.year, start.month, 1)
    while cursor <= end:
        by_month[f"{cursor:%Y-%m}"] = Month(f"{cursor:%Y-%m}")
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    rows = counted_vouchers(connection_ids=connection_ids, start=start, end=end, types=types).values_list(
        "voucher_type", "voucher_date", "total_amount", "details", "sales_document__total_tax_amount"
    )
    for kind, when, gross, details, sales_tax in rows.iterator(chunk_size=2000):
        if when is None or gross is None:
            continue
        month = by_month.get(f"{timezone.localtime(when):%Y-%m}")
        if month is None:
            continue
        tax = _tax(kind, details, sales_tax)
        net = gross - tax if tax is not None else gross
        sign = -1 if kind in INCOME_CREDITS + EXPENSE_CREDITS else 1
        if kind in INCOME_TYPES + INCOME_CREDITS:
            month.income_gross += sign * gross
            month.income_net += sign * net
        else:
            month.expenses_gross += sign * gross
            month.expenses_net += sign * net
    return list(by_month.values())


def open_receivables_by_due_month(*, connection_ids: list[int]) -> list[tuple[str, Decimal]]:
    """What customers still owe, by the month it fell (or falls) due."""
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    rows = (
        Voucher.objects.present()
        .filter(connection_id__in=connection_ids, voucher_type__in=RECEIVABLE_TYPES, open_amount__gt=0)
        .exclude(voucher_status__in=("draft", "voided"))
        .values_list("due_date", "voucher_date", "open_amount")
    )
    for due, when, amount in rows.iterator(chunk_size=2000):
        moment = due or when
        if moment is not None:
            sums[f"{timezone.localtime(moment):%Y-%m}"] += amount
    return sorted(sums.items())


def top_contacts(
    *, connection_ids: list[int], start: date, end: date, types: tuple[str, ...], limit: int = 10
) -> list[tuple[str, Decimal]]:
    rows = (
        counted_vouchers(connection_ids=connection_ids, start=start, end=end, types=types)
        .values("contact_name")
        .annotate(total=Sum("total_amount"))
        .order_by("-total", "contact_name")[:limit]
    )
    return [(row["contact_name"] or "-", row["total"] or ZERO) for row in rows]


# --- SVG ------------------------------------------------------------------------------------

WIDTH, HEIGHT, PAD = 720, 260, 40


def bar_chart(*, title: str, labels: list[str], series: list[tuple[str, list[Decimal], str]]) -> str:
    """Grouped bars; each series has a fill pattern of its own (solid, hatched, dotted), so colour is not needed."""
    values = [value for _, data, _ in series for value in data] or [ZERO]
    top = max(max(values), ZERO) or Decimal(1)
    bottom = min(min(values), ZERO)
    span = float(top - bottom) or 1.0
    plot_h = HEIGHT - 2 * PAD
    group = (WIDTH - 2 * PAD) / max(len(labels), 1)
    bar = group * 0.8 / max(len(series), 1)

    def y(value: Decimal) -> float:
        return PAD + plot_h * float(top - value) / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 30}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        "<defs>"
        '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#fff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#333" stroke-width="3"/></pattern>'
        '<pattern id="dots" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="#fff"/>'
        '<circle cx="2.5" cy="2.5" r="1.5" fill="#333"/></pattern></defs>',
        f"<title>{escape(title)}</title>",
        f'<line x1="{PAD}" y1="{y(ZERO):.1f}" x2="{WIDTH - PAD}" y2="{y(ZERO):.1f}" stroke="#333"/>',
    ]
    for index, label in enumerate(labels):
        x0 = PAD + index * group + group * 0.1
        for number, (name, data, fill) in enumerate(series):
            value = data[index]
            top_y, bottom_y = sorted((y(value), y(ZERO)))
            parts.append(
                f'<rect x="{x0 + number * bar:.1f}" y="{top_y:.1f}" width="{bar:.1f}" '
                f'height="{max(bottom_y - top_y, 0.5):.1f}" fill="{fill}" stroke="#333">'
                f"<title>{escape(label)} {escape(name)}: {value:.2f}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + group * 0.4:.1f}" y="{HEIGHT - PAD + 16}" font-size="10" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    for number, (name, _data, fill) in enumerate(series):
        x = PAD + number * 160
        parts.append(
            f'<rect x="{x}" y="{HEIGHT + 8}" width="14" height="14" fill="{fill}" stroke="#333"/>'
            f'<text x="{x + 20}" y="{HEIGHT + 19}" font-size="12">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
