"""The anchors the bench measures Lexhub against, in the same run on the same gunicorn (bench.settings):

- what a Django developer would write first: a DRF ReadOnlyModelViewSet with a ModelSerializer,
  select_related, CursorPagination, knox auth and DRF's SearchFilter (icontains), and the list pages with
  Django's offset Paginator and icontains search, rendered by the same templates;
- the stack's floor: a view that returns bytes held in memory, and one that reads a body and answers 202.

Never part of the product's URLs: bench.anchor_urls serves them beside lexhub.urls.
"""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from knox.auth import TokenAuthentication
from rest_framework import filters, serializers, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated

from connections.models import Connection
from contacts.api import ContactSerializer
from contacts.models import Contact
from contacts.views import SORTS as CONTACT_SORTS
from vouchers.labels import STATUS_LABELS, TYPE_LABELS
from vouchers.listing import BOOKKEEPING_STATUSES, SALES_STATUSES, filtered
from vouchers.listing import SORTS as VOUCHER_SORTS
from vouchers.models import BOOKKEEPING_TYPES, SALES_TYPES, Voucher
from vouchers.totals import totals_of
from web.listing import PAGE_SIZE, Page
from web.sorting import Ordering, ordering_from, sort_headers, sort_options

FLOOR_DIR = Path(__file__).resolve().parent.parent / "var" / "bench"
_floor_bodies: dict[str, bytes] = {}


class PlainContactSerializer(serializers.ModelSerializer):
    lexofficeId = serializers.UUIDField(source="lexoffice_id")

    class Meta:
        model = Contact
        fields = ["id", "lexofficeId", "name"]


class PlainVoucherSerializer(serializers.ModelSerializer):
    """The fields of Lexhub's voucher list entry, under the same names."""

    lexofficeId = serializers.UUIDField(source="lexoffice_id")
    connection = serializers.IntegerField(source="connection_id")
    voucherType = serializers.CharField(source="voucher_type")
    voucherStatus = serializers.CharField(source="voucher_status")
    voucherNumber = serializers.CharField(source="voucher_number")
    voucherDate = serializers.DateTimeField(source="voucher_date")
    dueDate = serializers.DateTimeField(source="due_date")
    contactId = serializers.UUIDField(source="contact_lexoffice_id")
    contactName = serializers.CharField(source="contact_name")
    totalAmount = serializers.FloatField(source="total_amount")
    openAmount = serializers.FloatField(source="open_amount")
    createdDate = serializers.DateTimeField(source="remote_created_at")
    updatedDate = serializers.DateTimeField(source="remote_updated_at")
    contact = PlainContactSerializer(allow_null=True)

    class Meta:
        model = Voucher
        fields = [
            "id",
            "lexofficeId",
            "connection",
            "voucherType",
            "voucherStatus",
            "voucherNumber",
            "voucherDate",
            "dueDate",
            "contactId",
            "contactName",
            "totalAmount",
            "openAmount",
            "currency",
            "archived",
            "version",
            "createdDate",
            "updatedDate",
            "contact",
        ]


class PlainVoucherCursor(CursorPagination):
    page_size = PAGE_SIZE
    ordering = ("-voucher_date", "-id")


class PlainContactCursor(CursorPagination):
    page_size = PAGE_SIZE
    ordering = ("name", "id")


class PlainVoucherViewSet(viewsets.ReadOnlyModelViewSet):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = PlainVoucherSerializer
    pagination_class = PlainVoucherCursor
    filter_backends = [filters.SearchFilter]
    search_fields = ["voucher_number"]  # the column Lexhub's `search` looks in

    def get_queryset(self) -> QuerySet:
        mine = Connection.objects.visible_to(self.request.user)
        return Voucher.objects.filter(connection__in=mine, deleted_upstream_at__isnull=True).select_related("contact")


class PlainContactViewSet(viewsets.ReadOnlyModelViewSet):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = ContactSerializer  # the same bytes per contact as Lexhub's list
    pagination_class = PlainContactCursor
    filter_backends = [filters.SearchFilter]
    search_fields = ["search_text"]  # the column Lexhub's `search` looks in (name and email addresses)

    def get_queryset(self) -> QuerySet:
        mine = Connection.objects.visible_to(self.request.user)
        return Contact.objects.filter(connection__in=mine, deleted_upstream_at__isnull=True)


def _order_by(ordering: Ordering) -> tuple[str, str]:
    field = ordering.choice.field
    return (f"-{field}", "-id") if ordering.descending else (field, "id")


def _offset_page(request: HttpRequest, queryset: QuerySet) -> Page:
    """Django's Paginator (COUNT, then OFFSET); `page=last` asks for the last page."""
    paginator = Paginator(queryset, PAGE_SIZE)
    wanted = request.GET.get("page")
    page = paginator.get_page(paginator.num_pages if wanted == "last" else wanted)
    return Page(list(page.object_list), str(page.next_page_number()) if page.has_next() else None)


@login_required
def offset_voucher_list(request: HttpRequest, kind: str) -> HttpResponse:
    types = BOOKKEEPING_TYPES if kind == "vouchers" else SALES_TYPES
    mine = Connection.objects.visible_to(request.user)
    vouchers = Voucher.objects.filter(connection__in=mine, deleted_upstream_at__isnull=True, voucher_type__in=types)
    vouchers, params = filtered(request, vouchers.select_related("contact", "connection"))
    if params["q"]:
        vouchers = vouchers.filter(Q(voucher_number__icontains=params["q"]) | Q(contact_name__icontains=params["q"]))
    ordering = ordering_from(request.GET.get("sort"), choices=VOUCHER_SORTS, default="-date")
    statuses = BOOKKEEPING_STATUSES if kind == "vouchers" else SALES_STATUSES
    return render(
        request,
        "vouchers/list.html",
        {
            "page": _offset_page(request, vouchers.order_by(*_order_by(ordering))),
            "params": params,
            "types": [(code, TYPE_LABELS[code]) for code in types],
            "statuses": [(code, STATUS_LABELS[code]) for code in statuses],
            "totals": totals_of(vouchers),  # the same page shows its filter's totals, computed every time
            "title": kind,
            "url_name": "vouchers:list" if kind == "vouchers" else "invoices:list",
            "sort_options": sort_options(VOUCHER_SORTS, ordering),
            "headers": sort_headers(VOUCHER_SORTS, ordering),
        },
    )


@login_required
def offset_contact_list(request: HttpRequest) -> HttpResponse:
    mine = Connection.objects.visible_to(request.user)
    contacts = Contact.objects.filter(connection__in=mine, deleted_upstream_at__isnull=True)
    contacts = contacts.select_related("connection")
    query, role, archived = (request.GET.get(key, "").strip() for key in ("q", "role", "archived"))
    if role in ("customer", "vendor"):
        contacts = contacts.filter(**{f"is_{role}": True})
    if archived in ("yes", "no"):
        contacts = contacts.filter(archived=archived == "yes")
    if query:
        contacts = contacts.filter(search_text__icontains=query)
    ordering = ordering_from(request.GET.get("sort"), choices=CONTACT_SORTS, default="name")
    if ordering.choice.only_with_value:
        contacts = contacts.filter(**{f"{ordering.choice.field}__isnull": False})
    return render(
        request,
        "contacts/list.html",
        {
            "page": _offset_page(request, contacts.order_by(*_order_by(ordering))),
            "q": query,
            "role": role,
            "archived": archived,
            "ordering": ordering,
            "sort_options": sort_options(CONTACT_SORTS, ordering),
            "headers": sort_headers(CONTACT_SORTS, ordering),
        },
    )


def floor_body(request: HttpRequest, name: str) -> HttpResponse:
    """The bytes the bench stored as var/bench/anchor-NAME.bin, read once and then served from memory."""
    body = _floor_bodies.get(name)
    if body is None:
        body = _floor_bodies.setdefault(name, (FLOOR_DIR / f"anchor-{name}.bin").read_bytes())
    return HttpResponse(body, content_type="application/json")


@csrf_exempt
def floor_ingest(request: HttpRequest) -> HttpResponse:
    """Reads the body and answers 202: the least a webhook receiver on this stack can do."""
    _body = request.body
    return HttpResponse(status=202)
