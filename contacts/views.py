from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from connections.access import connection_ids_of
from connections.models import Connection
from connections.writes import EditConflict, WriteError, WriteQueued
from contacts import sync
from contacts.forms import ContactForm, extra_entries, field_for_path, initial_from, payload_from
from contacts.models import Contact, matching
from contacts.validation import flatten
from web.sorting import SortChoice, ordering_from, sort_headers, sort_options, sorted_page

SAVED = "Saved in Lexoffice."
RESOLUTION_SALT = "contacts.conflict-resolution"
RESOLUTION_MAX_AGE = 3600
# What a row shows (and every sort field): not the stored JSON, and of the connection its name only.
LIST_FIELDS = ("name", "archived", "customer_number", "vendor_number", "email", "city", "connection__name")
SORTS = (
    SortChoice("name", "name", _("Name"), _("A to Z"), _("Z to A")),
    SortChoice(
        "customer", "customer_number", _("Customer no."), _("lowest first"), _("highest first"), only_with_value=True
    ),
    SortChoice("vendor", "vendor_number", _("Vendor no."), _("lowest first"), _("highest first"), only_with_value=True),
)


def filtered(request: HttpRequest, contacts: QuerySet) -> QuerySet:
    """The list's role and archived filters (the search `q` is left to sorted_page); list exports share it."""
    role = request.GET.get("role", "")
    if role == "customer":
        contacts = contacts.filter(is_customer=True)
    elif role == "vendor":
        contacts = contacts.filter(is_vendor=True)
    archived = request.GET.get("archived", "")
    if archived in ("yes", "no"):
        contacts = contacts.filter(archived=archived == "yes")
    return contacts


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    connection_ids = connection_ids_of(request.user)
    contacts = Contact.objects.present().filter(connection_id__in=connection_ids)
    contacts = contacts.select_related("connection").only(*LIST_FIELDS)
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    archived = request.GET.get("archived", "")
    contacts = filtered(request, contacts)
    ordering = ordering_from(request.GET.get("sort"), choices=SORTS, default="name")
    page = sorted_page(
        contacts,
        ordering,
        cursor=request.GET.get("after"),
        connection_ids=connection_ids,
        search=matching(query) if query else None,
    )
    return render(
        request,
        "contacts/list.html",
        {
            "page": page,
            "q": query,
            "role": role,
            "archived": archived,
            "ordering": ordering,
            "sort_options": sort_options(SORTS, ordering),
            "headers": sort_headers(SORTS, ordering),
        },
    )


@login_required
@require_GET
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.visible_to(request.user).select_related("connection"), pk=pk)
    vouchers = contact.vouchers.present().order_by("-voucher_date", "-id")[:25]
    raw = contact.raw or {}
    return render(
        request,
        "contacts/detail.html",
        {
            "contact": contact,
            "raw": raw,
            "company": raw.get("company") or {},
            "person": raw.get("person") or {},
            "addresses": raw.get("addresses") or {},
            "emails": raw.get("emailAddresses") or {},
            "phones": raw.get("phoneNumbers") or {},
            "xrechnung": raw.get("xRechnung") or {},
            "vouchers": vouchers,
            "lexoffice_url": f"{settings.LEXOFFICE_APP_URL}/permalink/contacts/view/{contact.lexoffice_id}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest) -> HttpResponse:
    connections = Connection.objects.visible_to(request.user).order_by("name")
    if not connections.exists():
        messages.warning(request, _("Connect a Lexoffice account first."))
        return redirect("connections:create")
    form = ContactForm(request.POST or None, connections=connections, initial={"is_customer": True, "version": 0})
    if request.method == "POST" and form.is_valid():
        connection = form.cleaned_data.get("connection") or connections.first()
        try:
            contact = sync.push_contact(connection=connection, data=payload_from(form.cleaned_data), user=request.user)
        except WriteQueued as exc:
            messages.warning(request, exc.message)
            return redirect("contacts:list")
        except WriteError as exc:
            return _form_with_errors(request, form, exc, contact=None)
        messages.success(request, SAVED)
        return redirect("contacts:detail", contact.pk)
    return render(request, "contacts/form.html", {"form": form, "contact": None})


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.visible_to(request.user).select_related("connection"), pk=pk)
    raw = contact.raw or {}
    if request.method == "GET":
        form = ContactForm(initial=initial_from(raw, contact.version))
        return render(
            request, "contacts/form.html", {"form": form, "contact": contact, "extra_entries": extra_entries(raw)}
        )
    if "resolution" in request.POST:
        return _apply_resolution(request, contact)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return render(request, "contacts/form.html", {"form": form, "contact": contact}, status=400)
    version = form.cleaned_data.get("version")
    if version is None:
        form.add_error(None, _("The form lost the version it was made from; open the contact again."))
        return render(request, "contacts/form.html", {"form": form, "contact": contact}, status=400)
    return _save(request, contact, data=payload_from(form.cleaned_data, raw), version=version, form=form)


def _save(request: HttpRequest, contact: Contact, *, data: dict, version: int, form: ContactForm) -> HttpResponse:
    base = contact.raw if contact.version == version else None
    try:
        sync.update_contact(contact=contact, data=data, version=version, user=request.user)
    except EditConflict as exc:
        return _conflict(request, contact, exc, base=base)
    except WriteQueued as exc:
        messages.warning(request, exc.message)
        return redirect("contacts:detail", contact.pk)
    except WriteError as exc:
        return _form_with_errors(request, form, exc, contact=contact)
    messages.success(request, SAVED)
    return redirect("contacts:detail", contact.pk)


def _apply_resolution(request: HttpRequest, contact: Contact) -> HttpResponse:
    """'Apply my edit to the current version': the signed merge made on the conflict screen."""
    try:
        signed = signing.loads(request.POST["resolution"], salt=RESOLUTION_SALT, max_age=RESOLUTION_MAX_AGE)
        version = int(request.POST.get("version", ""))
    except (signing.BadSignature, ValueError):
        messages.error(request, _("The conflict screen expired; please edit the contact again."))
        return redirect("contacts:edit", contact.pk)
    if signed.get("contact") != contact.pk or signed.get("user") != request.user.pk:
        messages.error(request, _("The conflict screen belongs to another edit; please edit the contact again."))
        return redirect("contacts:edit", contact.pk)
    form = ContactForm(initial_from(signed["data"], version))  # bound, so errors can attach to its fields
    form.is_valid()
    return _save(request, contact, data=signed["data"], version=version, form=form)


def _form_with_errors(
    request: HttpRequest, form: ContactForm, exc: WriteError, *, contact: Contact | None
) -> HttpResponse:
    form.add_lexoffice_errors(exc.field_errors)
    if not exc.field_errors:
        form.add_error(None, exc.message)
    status = exc.status if 400 <= exc.status < 600 else 400
    return render(request, "contacts/form.html", {"form": form, "contact": contact}, status=status)


def _conflict(request: HttpRequest, contact: Contact, exc: EditConflict, *, base: dict | None) -> HttpResponse:
    # The remote copy was just fetched: keep the mirror current so "Discard my edit" shows it.
    sync.store_contact(connection=contact.connection, data=exc.theirs)
    mine, theirs = flatten(exc.mine), flatten(exc.theirs)
    labels = ContactForm().fields
    rows = []
    for path in exc.fields:
        name = field_for_path(path)
        label = str(labels[name].label) if name in labels else path
        rows.append({"path": path, "label": label, "mine": _shown(mine.get(path)), "theirs": _shown(theirs.get(path))})
    resolution = signing.dumps(
        {
            "contact": contact.pk,
            "user": request.user.pk,
            "data": sync.resolve_with_mine(base=base, mine=exc.mine, theirs=exc.theirs),
        },
        salt=RESOLUTION_SALT,
        compress=True,
    )
    return render(
        request,
        "contacts/conflict.html",
        {
            "contact": contact,
            "rows": rows,
            "resolution": resolution,
            "current_version": exc.theirs.get("version"),
            "message": exc.message,
        },
        status=409,
    )


def _shown(value: object) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
