"""Pages: open items with their aging, a dunning from an overdue invoice, and its PDF."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from connections.access import connection_ids_of
from connections.writes import WriteError, WriteQueued
from invoices.models import SalesDocument
from reports import openitems
from reports.dunning import dunning_pdf, push_dunning
from vouchers.models import Voucher
from vouchers.serving import file_response

ITEM_LIMIT = 500


@login_required
@require_GET
def open_items_page(request: HttpRequest) -> HttpResponse:
    rows = openitems.request_rows(request)
    today = timezone.localdate()
    for_totals = openitems.open_items(
        connection_ids=connection_ids_of(request.user), **openitems.request_filters(request)
    )
    items = list(rows[: ITEM_LIMIT + 1])
    for item in items:
        due = item.effective_due
        item.days_overdue = (today - timezone.localtime(due).date()).days if due else 0
    return render(
        request,
        "reports/open_items.html",
        {
            "totals": openitems.totals(for_totals, today=today),
            "contacts": openitems.per_contact(for_totals, today=today, sort=request.GET.get("by", "-total")),
            "items": items[:ITEM_LIMIT],
            "more": len(items) > ITEM_LIMIT,
            "buckets": openitems.BUCKETS,
            "directions": openitems.DIRECTION_LABELS,
            "filters": openitems.request_filters(request),
            "sort": request.GET.get("sort", "due"),
            "by": request.GET.get("by", "-total"),
        },
    )


@login_required
@require_POST
def dunning_create(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = get_object_or_404(Voucher.objects.visible_to(request.user).select_related("connection"), pk=pk)
    try:
        fee = Decimal(request.POST.get("fee", "0").replace(",", ".") or "0")
    except InvalidOperation:
        messages.error(request, _("The dunning fee must be a number."))
        return redirect("reports:open-items")
    try:
        dunning = push_dunning(voucher=voucher, user=request.user, fee=fee, remark=request.POST.get("remark", ""))
    except WriteQueued as exc:
        messages.warning(request, exc.message)
        return redirect("reports:open-items")
    except WriteError as exc:
        messages.error(request, exc.message)
        return redirect("reports:open-items")
    messages.success(
        request, _("Dunning created in Lexoffice for invoice %(number)s.") % {"number": voucher.voucher_number}
    )
    return redirect("reports:dunning-pdf", dunning.pk)


@login_required
@require_GET
def dunning_file(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    dunning = SalesDocument.objects.visible_to(request.user).filter(pk=pk, kind="dunning").first()
    if dunning is None:
        raise Http404("No such dunning")
    try:
        file = dunning_pdf(dunning=dunning)
    except WriteError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    return file_response(file, inline=True)
