from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from contacts.models import Contact
from lexhub.listing import seek


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    contacts = Contact.objects.visible_to(request.user).present().select_related("connection")
    query = request.GET.get("q", "").strip()
    if query:
        match = Q(name__icontains=query) | Q(emails__icontains=query)
        if query.isdigit():
            match |= Q(customer_number=int(query)) | Q(vendor_number=int(query))
        contacts = contacts.filter(match)
    role = request.GET.get("role", "")
    if role == "customer":
        contacts = contacts.filter(is_customer=True)
    elif role == "vendor":
        contacts = contacts.filter(is_vendor=True)
    archived = request.GET.get("archived", "")
    if archived in ("yes", "no"):
        contacts = contacts.filter(archived=archived == "yes")
    page = seek(contacts, field="name", descending=False, cursor=request.GET.get("after"))
    return render(request, "contacts/list.html", {"page": page, "q": query, "role": role, "archived": archived})


@login_required
@require_GET
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.visible_to(request.user).select_related("connection"), pk=pk)
    vouchers = contact.vouchers.present().order_by("-voucher_date", "-id")[:25]
    raw = contact.raw or {}
    return render(request, "contacts/detail.html", {
        "contact": contact, "raw": raw, "company": raw.get("company") or {}, "person": raw.get("person") or {},
        "addresses": raw.get("addresses") or {}, "emails": raw.get("emailAddresses") or {},
        "phones": raw.get("phoneNumbers") or {}, "xrechnung": raw.get("xRechnung") or {}, "vouchers": vouchers,
        "lexoffice_url": f"{settings.LEXOFFICE_APP_URL}/permalink/contacts/view/{contact.lexoffice_id}",
    })
