"""The queue of uploaded receipts to complete, and the page that completes one beside its preview."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from connections.writes import EditConflict, WriteError, WriteQueued
from vouchers.completion import service
from vouchers.completion.forms import RATES, CompletionForm
from vouchers.forms import add_lexoffice_errors
from vouchers.models import BOOKKEEPING_TYPES, Voucher
from vouchers.previews.service import document_view, thumbnail_url


def to_complete(request: HttpRequest) -> QuerySet[Voucher]:
    return (
        Voucher.objects.visible_to(request.user)
        .filter(voucher_type__in=BOOKKEEPING_TYPES, voucher_status="unchecked")
        .order_by("pk")
    )


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    vouchers = list(to_complete(request).select_related("connection").prefetch_related("files__preview")[:200])
    rows = [
        {"voucher": v, "thumbnail": thumbnail_url(files[0]) if (files := list(v.files.all())) else ""} for v in vouchers
    ]
    return render(request, "vouchers/documents/queue.html", {"rows": rows})


def neighbours(request: HttpRequest, voucher: Voucher) -> tuple[int | None, int | None]:
    ids = list(to_complete(request).values_list("pk", flat=True)[:1000])
    later = [pk for pk in ids if pk > voucher.pk]
    earlier = [pk for pk in ids if pk < voucher.pk]
    return (earlier[-1] if earlier else None), (later[0] if later else None)


@login_required
@require_http_methods(["GET", "POST"])
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = get_object_or_404(
        Voucher.objects.visible_to(request.user).select_related("connection", "contact"),
        pk=pk,
        voucher_type__in=BOOKKEEPING_TYPES,
    )
    previous, following = neighbours(request, voucher)
    categories = service.categories(voucher.connection)
    form = CompletionForm(request.POST or None, initial=service.initial(voucher), categories=categories)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contact = service.find_contact(voucher, data.get("contact") or "")
        if data.get("contact") and contact is None:
            form.add_error(
                "contact", _("No contact with this number or name in %(name)s.") % {"name": voucher.connection.name}
            )
        else:
            try:
                service.save(voucher=voucher, data=data, contact=contact, user=request.user)
            except EditConflict as exc:
                conflict = conflict_rows(exc)
                form = CompletionForm(
                    {**request.POST.dict(), "version": exc.theirs.get("version")},
                    initial=service.initial(voucher),
                    categories=categories,
                )
                form.is_valid()
            except WriteQueued as exc:
                messages.warning(request, exc.message)
                return redirect(next_url(following))
            except WriteError as exc:
                add_lexoffice_errors(form, _NoItems(), exc.field_errors)  # type: ignore[arg-type]
                if not exc.field_errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved in Lexoffice; the voucher is open now."))
                if "next" in request.POST:
                    return redirect(next_url(following))
                return redirect("vouchers:detail", voucher.pk)
    files = list(voucher.files.select_related("preview").order_by("pk"))
    page = request.GET.get("page", "1")
    return render(
        request,
        "vouchers/documents/complete.html",
        {
            "voucher": voucher,
            "form": form,
            "rates": [(rate, form[f"gross_{rate}"], form[f"category_{rate}"]) for rate in RATES],
            "preview": document_view(files[0], page=int(page) if page.isdigit() else 1) if files else None,
            "previous": previous,
            "following": following,
            "conflict": conflict,
        },
        status=409 if conflict else (400 if request.method == "POST" else 200),
    )


def next_url(following: int | None) -> str:
    return reverse("vouchers:complete", args=[following]) if following else reverse("vouchers:to_complete")


class _NoItems:
    forms: list[object] = []


def field_labels() -> dict[str, str]:
    return {
        "type": _("Voucher type"),
        "voucherNumber": _("Voucher number"),
        "voucherDate": _("Voucher date"),
        "dueDate": _("Due date"),
        "contactId": _("Contact"),
        "contactName": _("Supplier or customer name"),
        "useCollectiveContact": _("Collective contact"),
        "remark": _("Remark"),
        "voucherItems": _("Amounts"),
        "totalGrossAmount": _("Total gross amount"),
        "totalTaxAmount": _("Total tax amount"),
        "taxType": _("Amounts are"),
        "version": _("Version"),
    }


def conflict_rows(exc: EditConflict) -> list[dict[str, str]]:
    labels = field_labels()
    return [
        {
            "field": labels.get(field, _("Other")),
            "mine": _shown(exc.mine.get(field)),
            "theirs": _shown(exc.theirs.get(field)),
        }
        for field in exc.fields
    ]


def _shown(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(
            f"{item.get('amount')} ({item.get('taxRatePercent')} %)" if isinstance(item, dict) else str(item)
            for item in value
        )
    return "—" if value in (None, "") else str(value)
