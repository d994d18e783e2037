"""The charts page: income and expenses, receivables still open, top customers and suppliers."""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from connections.access import connection_ids_of
from connections.models import Connection
from reports import charts
from reports.labels import type_label


def _date(value: str, default: date) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return default


def chart_filters(request: HttpRequest) -> dict:
    today = timezone.localdate()
    mine = connection_ids_of(request.user)
    wanted = request.GET.get("connection", "")
    ids = [int(wanted)] if wanted.isdigit() and int(wanted) in mine else mine
    end = _date(request.GET.get("to", ""), today)
    start = _date(request.GET.get("from", ""), date(end.year - 1, end.month, 1) + timedelta(days=32))
    start = date(start.year, start.month, 1) if not request.GET.get("from") else start
    kind = request.GET.get("type", "")
    types = (kind,) if kind in charts.COUNTED else charts.COUNTED
    return {"connection_ids": ids, "start": min(start, end), "end": end, "types": types, "type": kind}


@login_required
@require_GET
def charts_page(request: HttpRequest) -> HttpResponse:
    f = chart_filters(request)
    months = charts.months(connection_ids=f["connection_ids"], start=f["start"], end=f["end"], types=f["types"])
    receivables = charts.open_receivables_by_due_month(connection_ids=f["connection_ids"])
    customers = charts.top_contacts(
        connection_ids=f["connection_ids"],
        start=f["start"],
        end=f["end"],
        types=tuple(set(f["types"]) & set(charts.INCOME_TYPES)),
    )
    suppliers = charts.top_contacts(
        connection_ids=f["connection_ids"],
        start=f["start"],
        end=f["end"],
        types=tuple(set(f["types"]) & set(charts.EXPENSE_TYPES)),
    )
    labels = [m.key for m in months]
    income_chart = charts.bar_chart(
        title=_("Income and expenses per month (gross)"),
        labels=labels,
        series=[
            (_("Income"), [m.income_gross for m in months], "#2b6cb0"),
            (_("Expenses"), [m.expenses_gross for m in months], "url(#hatch)"),
        ],
    )
    receivable_chart = charts.bar_chart(
        title=_("Receivables still open, by month due"),
        labels=[key for key, _ in receivables],
        series=[(_("Open"), [amount for _, amount in receivables], "url(#dots)")],
    )
    return render(
        request,
        "reports/charts.html",
        {
            "months": months,
            "receivables": receivables,
            "customers": customers,
            "suppliers": suppliers,
            "income_chart": mark_safe(income_chart),  # noqa: S308 - built by reports.charts, every text escaped
            "receivable_chart": mark_safe(receivable_chart),  # noqa: S308 - as above
            "filters": f,
            "connections": Connection.objects.visible_to(request.user).order_by("name"),
            "types": [(kind, type_label(kind)) for kind in charts.COUNTED],
        },
    )
