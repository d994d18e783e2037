from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connections.access import connection_ids_of
from connections.models import Connection
from connections.writes import WriteError, WriteQueued
from vouchers.forms import (
    ItemFormSet,
    VoucherForm,
    add_lexoffice_errors,
    category_suggestions,
    resolve_contact,
    voucher_payload,
)
from vouchers.models import BOOKKEEPING_TYPES, PERMALINK_RESOURCES, SALES_TYPES, File, Voucher, dated_between, matching
from vouchers.receipts import (
    NO_FILE,
    answer,
    display_name,
    guarded_upload,
    outcome_for,
    outcome_of_error,
    refuse,
    stopped_at,
    too_large,
)
from vouchers.serving import file_response
from vouchers.sync import attach_voucher_file, ensure_local_file, push_voucher
from vouchers.uploads import MAX_UPLOAD_BYTES
from web.csp import frames_own_documents
from web.sorting import SortChoice, ordering_from, sort_headers, sort_options, sorted_page

STATUSES = (
    "draft",
    "open",
    "overdue",
    "paid",
    "paidoff",
    "voided",
    "transferred",
    "sepadebit",
    "accepted",
    "rejected",
    "unchecked",
)
SORTS = (
    SortChoice("date", "voucher_date", _("Date"), _("oldest first"), _("newest first"), descending_first=True),
    SortChoice("number", "voucher_number", _("Number"), _("A to Z"), _("Z to A")),
    SortChoice("amount", "total_amount", _("Total"), _("lowest first"), _("highest first"), descending_first=True),
    SortChoice("contact", "contact_name", _("Contact"), _("A to Z"), _("Z to A")),
)


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


def _list(request: HttpRequest, *, types: tuple[str, ...], title: str, url_name: str) -> HttpResponse:
    connection_ids = connection_ids_of(request.user)
    vouchers = Voucher.objects.present().filter(connection_id__in=connection_ids, voucher_type__in=types)
    vouchers = vouchers.select_related("contact", "connection")
    vouchers, params = filtered(request, vouchers)
    ordering = ordering_from(request.GET.get("sort"), choices=SORTS, default="-date")
    page = sorted_page(
        vouchers,
        ordering,
        cursor=request.GET.get("after"),
        connection_ids=connection_ids,
        search=matching(params["q"]) if params["q"] else None,
    )
    return render(
        request,
        "vouchers/list.html",
        {
            "page": page,
            "params": params,
            "types": types,
            "statuses": STATUSES,
            "title": title,
            "url_name": url_name,
            "sort_options": sort_options(SORTS, ordering),
            "headers": sort_headers(SORTS, ordering),
        },
    )


@login_required
@require_GET
def voucher_list(request: HttpRequest) -> HttpResponse:
    return _list(request, types=BOOKKEEPING_TYPES, title=_("Vouchers (Belege)"), url_name="vouchers:list")


@login_required
@require_GET
def sales_list(request: HttpRequest) -> HttpResponse:
    return _list(request, types=SALES_TYPES, title=_("Invoices and sales documents"), url_name="invoices:list")


@login_required
@require_GET
@frames_own_documents  # the invoice PDF preview
def voucher_detail(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = get_object_or_404(Voucher.objects.visible_to(request.user).select_related("contact", "connection"), pk=pk)
    document = getattr(voucher, "sales_document", None)
    resource = PERMALINK_RESOURCES.get(voucher.voucher_type, "vouchers")
    uploads = voucher.pending_uploads.exclude(state="linked").select_related("voucher", "target_voucher")[:20]
    return render(
        request,
        "vouchers/detail.html",
        {
            "voucher": voucher,
            "details": voucher.details or {},
            "document": document,
            "items": (voucher.details or {}).get("voucherItems") or [],
            "line_items": (document.raw.get("lineItems") or []) if document else [],
            "files": voucher.files.all(),
            "max_bytes": MAX_UPLOAD_BYTES,
            "is_sales": voucher.voucher_type in SALES_TYPES,
            "uploads": [outcome_for(u) for u in uploads],
            "lexoffice_url": f"{settings.LEXOFFICE_APP_URL}/permalink/{resource}/view/{voucher.lexoffice_id}",
        },
    )


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int) -> HttpResponse:
    file = File.objects.filter(connection__in=_visible_connections(request), pk=pk).first()
    if file is None:
        raise Http404("No such file")
    try:
        ensure_local_file(file=file)
    except WriteError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    return file_response(file, inline=request.GET.get("inline") == "1")


def _visible_connections(request: HttpRequest):
    from connections.models import Connection

    return Connection.objects.visible_to(request.user)


@login_required
@require_POST
@guarded_upload
def voucher_file_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a file to this voucher in Lexoffice (drop zone on the voucher page, or the plain form)."""
    voucher = get_object_or_404(Voucher.objects.visible_to(request.user).select_related("connection"), pk=pk)
    received = request.FILES.get("file")
    if received is None:
        if (name := stopped_at(request)) is not None:
            return answer(request, [too_large(name)], back=reverse("vouchers:detail", args=[pk]))
        return refuse(request, NO_FILE, 400)
    try:
        outcome = outcome_for(attach_voucher_file(voucher=voucher, upload=received, user=request.user))
    except WriteError as exc:
        outcome = outcome_of_error(display_name(received.name or ""), exc)
    return answer(request, [outcome], back=reverse("vouchers:detail", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def voucher_create(request: HttpRequest) -> HttpResponse:
    """Record a bookkeeping voucher (Beleg) in Lexoffice; totals and items are cross-checked first."""
    connections = Connection.objects.visible_to(request.user).order_by("name")
    if not connections.exists():
        messages.warning(request, "Connect a Lexoffice account first.")
        return redirect("connections:create")
    form = VoucherForm(
        request.POST or None, connections=connections, initial={"contact": request.GET.get("contact", "")[:255]}
    )
    formset = ItemFormSet(request.POST or None, prefix="items")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        connection = form.cleaned_data.get("connection") or connections.first()
        wanted = form.cleaned_data["contact"].strip()
        contact = resolve_contact(connection, wanted) if wanted else None
        items = [row.cleaned_data for row in formset.forms if row.cleaned_data]
        if wanted and contact is None:
            form.add_error("contact", f"No contact with this number or name in {connection.name}.")
        else:
            try:
                voucher = push_voucher(
                    connection=connection, data=voucher_payload(form, items, contact), user=request.user
                )
            except WriteQueued as exc:
                messages.warning(request, exc.message)
                return redirect("vouchers:list")
            except WriteError as exc:
                add_lexoffice_errors(form, formset, exc.field_errors)
                if not exc.field_errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, "Saved in Lexoffice.")
                return redirect("vouchers:detail", voucher.pk)
    return render(
        request,
        "vouchers/form.html",
        {
            "form": form,
            "formset": formset,
            "categories": category_suggestions(list(connections.values_list("pk", flat=True))),
        },
        status=400 if request.method == "POST" else 200,
    )
