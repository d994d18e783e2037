"""The voucher list page, with its filters and sorts: vouchers/views.py shows the bookkeeping vouchers through it,
invoices/views.py the sales documents (both are entries of Lexoffice's one voucher list)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from connections.access import connection_ids_of
from vouchers.labels import STATUS_LABELS, TYPE_LABELS
from vouchers.models import BOOKKEEPING_TYPES, Voucher, dated_between, matching
from vouchers.totals import PAGE_BUDGET_MS, cached_totals
from web.sorting import SortChoice, ordering_from, sort_headers, sort_options, sorted_page

SORTS = (
    SortChoice("date", "voucher_date", _("Date"), _("oldest first"), _("newest first"), descending_first=True),
    SortChoice("number", "voucher_number", _("Number"), _("A to Z"), _("Z to A")),
    SortChoice("amount", "total_amount", _("Total"), _("lowest first"), _("highest first"), descending_first=True),
    SortChoice("contact", "contact_name", _("Contact"), _("A to Z"), _("Z to A")),
)


# What a row shows (and every sort field): not the stored JSON, nor a join for the contact's link.
LIST_FIELDS = (
    "voucher_date",
    "voucher_type",
    "voucher_number",
    "archived",
    "contact_id",
    "contact_name",
    "voucher_status",
    "total_amount",
    "open_amount",
    "currency",
)

# The statuses each list's types can have (shared/lexoffice-api.md, voucher list): the filter offers only these.
BOOKKEEPING_STATUSES = ("open", "overdue", "paid", "paidoff", "voided", "transferred", "sepadebit", "unchecked")
SALES_STATUSES = ("draft", "open", "overdue", "paid", "paidoff", "voided", "accepted", "rejected")


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _amount(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, ValueError):
        return None


def filtered(request: HttpRequest, queryset: QuerySet) -> tuple[QuerySet, dict]:
    """The list's filters applied; the search `q` is left to sorted_page, which also decides how to page it."""
    params = {
        key: request.GET.get(key, "").strip() for key in ("q", "type", "status", "archived", "from", "to", "min", "max")
    }
    if params["type"]:
        queryset = queryset.filter(voucher_type=params["type"])
    if params["status"]:
        queryset = queryset.filter(voucher_status=params["status"])
    if params["archived"] in ("yes", "no"):
        queryset = queryset.filter(archived=params["archived"] == "yes")
    queryset = queryset.filter(dated_between(_date(params["from"]), _date(params["to"])))
    if (low := _amount(params["min"])) is not None:
        queryset = queryset.filter(total_amount__gte=low)
    if (high := _amount(params["max"])) is not None:
        queryset = queryset.filter(total_amount__lte=high)
    return queryset, params


def _with_totals_wait(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["totals"] = "wait"
    return f"{request.path}?{query.urlencode()}"


def list_page(request: HttpRequest, *, types: tuple[str, ...], title: str, url_name: str) -> HttpResponse:
    """The user's present vouchers of these types, filtered, sorted and paged; `url_name` is the page's own URL."""
    statuses = BOOKKEEPING_STATUSES if types == BOOKKEEPING_TYPES else SALES_STATUSES
    connection_ids = connection_ids_of(request.user)
    vouchers = Voucher.objects.present().filter(connection_id__in=connection_ids, voucher_type__in=types)
    vouchers = vouchers.only(*LIST_FIELDS)
    vouchers, params = filtered(request, vouchers)
    search = matching(params["q"]) if params["q"] else None  # asks the documents' text once, for both
    # The page shows its rows within its budget; totals that take longer follow (`totals=wait`, fetched by
    # static/lexhub/totals.js, or a link without JavaScript).
    waiting = request.GET.get("totals") == "wait"
    totals = cached_totals(
        vouchers.filter(search) if search is not None else vouchers,
        connection_ids=connection_ids,
        filters={**params, "types": ",".join(types)},
        budget_ms=None if waiting else PAGE_BUDGET_MS,
    )
    ordering = ordering_from(request.GET.get("sort"), choices=SORTS, default="-date")
    page = sorted_page(
        vouchers,
        ordering,
        cursor=request.GET.get("after"),
        connection_ids=connection_ids,
        search=search,
        # the rows it pages through, when the totals are at hand: no need to count them again
        rows=None if totals is None else sum(total.count for total in totals),
    )
    return render(
        request,
        "vouchers/list.html",
        {
            "page": page,
            "params": params,
            "types": [(code, TYPE_LABELS[code]) for code in types],
            "statuses": [(code, STATUS_LABELS[code]) for code in statuses],
            "totals": totals,
            "totals_url": _with_totals_wait(request) if totals is None else None,  # only a page without them links it
            "title": title,
            "url_name": url_name,
            "sort_options": sort_options(SORTS, ordering),
            "headers": sort_headers(SORTS, ordering),
        },
    )
