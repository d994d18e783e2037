"""Bookkeeping voucher pages: the list, a voucher (any type) with its files, a stored file, and a new voucher.
Receipt uploads, the drop zone on the voucher page included, are in vouchers/receipts/."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from connections.models import Connection
from connections.writes import WriteError, WriteQueued
from vouchers.forms import (
    KNOWN_CATEGORIES,
    ItemFormSet,
    VoucherForm,
    add_lexoffice_errors,
    category_suggestions,
    resolve_contact,
    voucher_payload,
)
from vouchers.labels import tax_type_label
from vouchers.listing import list_page
from vouchers.models import BOOKKEEPING_TYPES, PERMALINK_RESOURCES, SALES_TYPES, File, Voucher
from vouchers.previews.service import document_view
from vouchers.receipts.checks import MAX_RECEIVED_BYTES
from vouchers.receipts.http import outcome_for
from vouchers.serving import file_response
from vouchers.sync import ensure_local_file, push_voucher
from web.csp import frames_own_documents


@login_required
@require_GET
def voucher_list(request: HttpRequest) -> HttpResponse:
    return list_page(request, types=BOOKKEEPING_TYPES, title=_("Vouchers"), url_name="vouchers:list")


@login_required
@require_GET
@frames_own_documents  # the invoice PDF preview
def voucher_detail(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = get_object_or_404(Voucher.objects.visible_to(request.user).select_related("contact", "connection"), pk=pk)
    document = getattr(voucher, "sales_document", None)
    resource = PERMALINK_RESOURCES.get(voucher.voucher_type, "vouchers")
    uploads = voucher.pending_uploads.exclude(state="linked").select_related("voucher", "target_voucher")[:20]
    files = list(voucher.files.select_related("preview").order_by("pk"))
    page = request.GET.get("page", "1")
    return render(
        request,
        "vouchers/detail.html",
        {
            "voucher": voucher,
            "details": voucher.details or {},
            "document": document,
            "items": named_items(voucher),
            "tax_type": tax_type_label((voucher.details or {}).get("taxType") or ""),
            "line_items": (document.raw.get("lineItems") or []) if document else [],
            "files": files,
            "preview": document_view(files[0], page=int(page) if page.isdigit() else 1) if files else None,
            "max_bytes": MAX_RECEIVED_BYTES,
            "is_sales": voucher.voucher_type in SALES_TYPES,
            "uploads": [outcome_for(u) for u in uploads],
            "lexoffice_url": f"{settings.LEXOFFICE_APP_URL}/permalink/{resource}/view/{voucher.lexoffice_id}",
        },
    )


def named_items(voucher: Voucher) -> list[dict]:
    """The voucher's items, each with its posting category's name (Lexoffice's documented ones; else the id)."""
    items = (voucher.details or {}).get("voucherItems") or []
    return [
        {**item, "category_name": KNOWN_CATEGORIES.get(item.get("categoryId") or "") or item.get("categoryId")}
        for item in items
    ]


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int) -> HttpResponse:
    file = File.objects.filter(connection__in=Connection.objects.visible_to(request.user), pk=pk).first()
    if file is None:
        raise Http404("No such file")
    try:
        ensure_local_file(file=file)
    except WriteError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    return file_response(file, inline=request.GET.get("inline") == "1")


@login_required
@require_http_methods(["GET", "POST"])
def voucher_create(request: HttpRequest) -> HttpResponse:
    """Record a bookkeeping voucher (Beleg) in Lexoffice; totals and items are cross-checked first."""
    connections = Connection.objects.visible_to(request.user).order_by("name")
    if not connections.exists():
        messages.warning(request, _("Connect a Lexoffice account first."))
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
            form.add_error("contact", _("No contact with this number or name in %(name)s.") % {"name": connection.name})
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
                messages.success(request, _("Saved in Lexoffice."))
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
