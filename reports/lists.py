"""Every list page as a table to export: the same filtered rows the page shows, all of them, in its order."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from connections.access import connection_ids_of
from contacts import views as contact_views
from contacts.models import Contact
from contacts.models import matching as contact_matching
from reports import openitems
from reports.labels import status_label, type_label
from reports.tabular import Cell
from vouchers import listing
from vouchers.models import BOOKKEEPING_TYPES, SALES_TYPES, Voucher
from vouchers.models import matching as voucher_matching
from web.sorting import ordering_from

CHUNK = 2000


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: Iterator[list[Cell]]


def _ordered(queryset: QuerySet, field: str, descending: bool) -> QuerySet:
    return queryset.order_by(f"-{field}" if descending else field, "-id" if descending else "id")


def contact_table(request: HttpRequest) -> Table:
    rows: QuerySet = Contact.objects.present().filter(connection_id__in=connection_ids_of(request.user))
    rows = contact_views.filtered(request, rows)
    if query := request.GET.get("q", "").strip():
        rows = rows.filter(contact_matching(query))
    ordering = ordering_from(request.GET.get("sort"), choices=contact_views.SORTS, default="name")
    rows = _ordered(rows, ordering.choice.field, ordering.descending).select_related("connection")
    header = [_("Name"), _("Customer no."), _("Vendor no."), _("Customer"), _("Vendor"), _("Email"), _("Phone")]
    header += [_("City"), _("Country"), _("Archived"), _("Connection")]

    def lines() -> Iterator[list[Cell]]:
        for c in rows.iterator(chunk_size=CHUNK):
            yes, no = _("yes"), _("no")
            yield [
                c.name, c.customer_number, c.vendor_number, yes if c.is_customer else no,
                yes if c.is_vendor else no, c.email, c.phone, c.city, c.country_code,
                yes if c.archived else no, c.connection.name,
            ]  # fmt: skip

    return Table(_("Contacts"), [str(h) for h in header], lines())


def voucher_rows(request: HttpRequest, types: tuple[str, ...]) -> QuerySet:
    """The voucher (or invoice) list's rows: its filters, its search and its order (vouchers/listing.py)."""
    rows: QuerySet = Voucher.objects.present().filter(
        connection_id__in=connection_ids_of(request.user), voucher_type__in=types
    )
    rows, params = listing.filtered(request, rows)
    if params["q"]:
        rows = rows.filter(voucher_matching(params["q"]))
    ordering = ordering_from(request.GET.get("sort"), choices=listing.SORTS, default="-date")
    return _ordered(rows, ordering.choice.field, ordering.descending)


def _voucher_table(title: str, rows: QuerySet) -> Table:
    header = [_("Date"), _("Type"), _("Number"), _("Contact"), _("Status"), _("Total"), _("Open"), _("Due")]
    header += [_("Currency"), _("Connection")]
    # Plain tuples and labels looked up once: the per-row cost is what a 1,000,000-row export pays.
    columns = rows.values_list(
        "voucher_date", "voucher_type", "voucher_number", "contact_name", "voucher_status", "total_amount",
        "open_amount", "due_date", "currency", "connection__name",
    )  # fmt: skip
    types: dict[str, str] = {}
    statuses: dict[str, str] = {}

    def lines() -> Iterator[list[Cell]]:
        for when, kind, number, contact, status, total, opened, due, currency, connection in columns.iterator(
            chunk_size=CHUNK
        ):
            kind_label = types.get(kind) or types.setdefault(kind, type_label(kind))
            status_text = statuses.get(status) or statuses.setdefault(status, status_label(status))
            yield [when, kind_label, number, contact, status_text, total, opened, due, currency, connection]

    return Table(title, [str(h) for h in header], lines())


def voucher_table(request: HttpRequest) -> Table:
    return _voucher_table(_("Vouchers"), voucher_rows(request, BOOKKEEPING_TYPES))


def invoice_table(request: HttpRequest) -> Table:
    return _voucher_table(_("Invoices"), voucher_rows(request, SALES_TYPES))


def document_table(request: HttpRequest) -> Table:
    """The whole voucher list (bookkeeping vouchers and sales documents) with the list filters."""
    return _voucher_table(_("Documents"), voucher_rows(request, BOOKKEEPING_TYPES + SALES_TYPES))


def open_item_table(request: HttpRequest) -> Table:
    rows = openitems.request_rows(request).select_related("connection")
    today = timezone.localdate()
    labels = {b.key: str(b.label) for b in openitems.BUCKETS}
    header = [_("Due"), _("Days overdue"), _("Age"), _("Kind"), _("Type"), _("Number"), _("Contact")]
    header += [_("Date"), _("Total"), _("Open"), _("Connection")]

    def lines() -> Iterator[list[Cell]]:
        for v in rows.iterator(chunk_size=CHUNK):
            days = (today - timezone.localtime(v.effective_due).date()).days if v.effective_due else 0
            kind = _("Receivable") if v.voucher_type in openitems.RECEIVABLE_TYPES else _("Payable")
            yield [
                v.effective_due, max(days, 0), labels[openitems.bucket_of(days)], kind, type_label(v.voucher_type),
                v.voucher_number, v.contact_name, v.voucher_date, v.total_amount, v.open_amount, v.connection.name,
            ]  # fmt: skip

    return Table(_("Open items"), [str(h) for h in header], lines())


TABLES: dict[str, Callable[[HttpRequest], Table]] = {
    "contacts": contact_table,
    "vouchers": voucher_table,
    "invoices": invoice_table,
    "open-items": open_item_table,
    "documents": document_table,
}
