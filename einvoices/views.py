"""E-invoice pages: the list, the readable invoice (Visualisierung) with its findings, the XML as received, and the
voucher form pre-filled from the invoice."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connections.models import Connection
from connections.writes import WriteError, WriteQueued
from contacts.sync import push_contact
from einvoices.models import EInvoice
from einvoices.prefill import seller_contact, voucher_prefill
from einvoices.reading import Reading, read_xml
from einvoices.store import finding_message
from vouchers.forms import (
    ItemFormSet,
    VoucherForm,
    add_lexoffice_errors,
    category_suggestions,
    resolve_contact,
    voucher_payload,
)
from vouchers.models import Upload, Voucher
from vouchers.serving import FILE_CONTENT_SECURITY_POLICY
from vouchers.sync import push_voucher, refresh_voucher, update_voucher


def _visible(request: HttpRequest, pk: int) -> EInvoice:
    rows = EInvoice.objects.visible_to(request.user).select_related(
        "upload__voucher", "upload__file", "file__voucher", "connection"
    )
    return get_object_or_404(rows, pk=pk)


def reread(row: EInvoice) -> Reading:
    """The invoice as its stored XML says (the one source; the JSON copy serves the API and search)."""
    with row.xml.open("rb") as handle:
        return read_xml(handle.read(), container=row.container, name=row.xml_name)


@login_required
@require_GET
def einvoice_list(request: HttpRequest) -> HttpResponse:
    rows = EInvoice.objects.visible_to(request.user).select_related("upload__voucher")[:100]
    return render(request, "einvoices/list.html", {"rows": rows})


@login_required
@require_GET
def einvoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = _visible(request, pk)
    reading = reread(row)
    return render(request, "einvoices/detail.html", page_context(row, reading))


def page_context(row: EInvoice, reading: Reading) -> dict[str, object]:
    findings = [{"finding": f, "message": finding_message(f)} for f in reading.findings]
    errors = [item for item, f in zip(findings, reading.findings, strict=True) if f.severity == "error"]
    upload = row.upload
    return {
        "row": row,
        "invoice": reading.invoice,
        "reading": reading,
        "findings": findings,
        "errors": errors,
        "upload": upload,
        "voucher": row.voucher,
        "upload_failed": upload is not None and upload.state == Upload.State.FAILED,
    }


@login_required
@require_GET
def einvoice_xml(request: HttpRequest, pk: int) -> FileResponse:
    """The XML byte for byte as received, always as a download (never rendered on our origin)."""
    row = _visible(request, pk)
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in row.number)[:80] or f"e-invoice-{row.pk}"
    response = FileResponse(row.xml.open("rb"), as_attachment=True, filename=f"{stem}.xml")
    response["Content-Type"] = "application/xml"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = f"{FILE_CONTENT_SECURITY_POLICY}; frame-ancestors 'none'"
    response["X-Checksum-SHA256"] = row.xml_sha256
    return response


@login_required
@require_http_methods(["GET", "POST"])
def einvoice_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """The voucher form filled from the e-invoice. Saving updates the voucher Lexoffice made of the upload, or
    creates one when Lexoffice has none (an XML it refused is still booked, with the XML kept here)."""
    row = _visible(request, pk)
    connection = row.connection
    prefill = voucher_prefill(connection=connection, invoice=reread(row).invoice)
    connections = Connection.objects.filter(pk=connection.pk)
    form = VoucherForm(request.POST or None, connections=connections, initial=prefill.header)
    formset = ItemFormSet(request.POST or None, prefix="items", initial=prefill.items)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        wanted = form.cleaned_data["contact"].strip()
        contact = resolve_contact(connection, wanted) if wanted else None
        items = [item.cleaned_data for item in formset.forms if item.cleaned_data]
        if wanted and contact is None:
            message = _("No contact with this number or name in %(name)s.") % {"name": connection.name}
            form.add_error("contact", message)
        else:
            try:
                voucher = _save(row, voucher_payload(form, items, contact), request)
            except WriteQueued as exc:
                messages.warning(request, exc.message)
                return redirect("einvoices:detail", row.pk)
            except WriteError as exc:
                add_lexoffice_errors(form, formset, exc.field_errors)
                if not exc.field_errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved in Lexoffice."))
                return redirect("vouchers:detail", voucher.pk)
    elif request.method == "GET":
        currency = prefill.header.get("currency", "EUR")
        if currency != "EUR":
            messages.warning(
                request,
                _("The invoice is in %(currency)s; Lexoffice books in euros: convert the amounts before saving.")
                % {"currency": currency},
            )
        if prefill.contact is not None:
            messages.info(
                request,
                _("Filled in from the e-invoice; the seller is your contact %(name)s.")
                % {"name": prefill.contact.name},
            )
        else:
            messages.info(
                request,
                _("Filled in from the e-invoice; the seller is no contact of yours: booked on the collective contact."),
            )
    return render(
        request,
        "einvoices/complete.html",
        {
            "form": form,
            "formset": formset,
            "categories": category_suggestions([connection.pk]),
            "row": row,
            "seller_is_contact": prefill.contact is not None,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def einvoice_create_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """Create the seller as a vendor contact in Lexoffice, then back to the form, which now finds it."""
    row = _visible(request, pk)
    try:
        contact = push_contact(connection=row.connection, data=seller_contact(reread(row).invoice), user=request.user)
    except WriteQueued as exc:
        messages.warning(request, exc.message)
    except WriteError as exc:
        problems = "; ".join(f"{field}: {', '.join(errors)}" for field, errors in exc.field_errors.items())
        messages.error(request, f"{exc.message} {problems}".strip())
    else:
        messages.success(request, _("Contact %(name)s created in Lexoffice.") % {"name": contact.name})
    return redirect("einvoices:complete", row.pk)


def _save(row: EInvoice, payload: dict[str, object], request: HttpRequest) -> Voucher:
    voucher = row.voucher
    if voucher is None:
        return push_voucher(connection=row.connection, data=payload, user=request.user)
    if voucher.details_version is None:  # the voucher may have been mirrored from the list only
        refresh_voucher(
            connection=row.connection, lexoffice_id=str(voucher.lexoffice_id), client=row.connection.client()
        )
        voucher.refresh_from_db()
    return update_voucher(voucher=voucher, data=payload, version=voucher.details_version or 0, user=request.user)
