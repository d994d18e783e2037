"""Open items (Offene Posten): receivables and payables with an open amount, in aging buckets by days overdue.

Read from the mirror: a voucher list entry's `openAmount` and `dueDate` are kept current by the sync and by
`payment.changed`. A document without a due date counts from its voucher date (Lexoffice's default due date).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connections.access import connection_ids_of
from vouchers.models import Voucher, day_start

# Who owes whom: a customer's invoice or a supplier's credit note is owed to us; the rest we owe.
RECEIVABLE_TYPES = ("salesinvoice", "invoice", "downpaymentinvoice", "purchasecreditnote")
PAYABLE_TYPES = ("purchaseinvoice", "salescreditnote", "creditnote")
DIRECTIONS = {"receivable": RECEIVABLE_TYPES, "payable": PAYABLE_TYPES}
DIRECTION_LABELS = {"receivable": _("Receivables"), "payable": _("Payables")}


@dataclass(frozen=True)
class Bucket:
    key: str
    label: object
    low: int | None  # days overdue, inclusive; None: no lower bound
    high: int | None  # inclusive; None: no upper bound


BUCKETS = (
    Bucket("current", _("Not yet due"), None, 0),
    Bucket("d1_30", _("1-30 days overdue"), 1, 30),
    Bucket("d31_60", _("31-60 days overdue"), 31, 60),
    Bucket("d61_90", _("61-90 days overdue"), 61, 90),
    Bucket("d90_plus", _("Over 90 days overdue"), 91, None),
)
BUCKET_KEYS = tuple(bucket.key for bucket in BUCKETS)
MONEY: DecimalField = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")


def bucket_of(days_overdue: int) -> str:
    for bucket in BUCKETS:
        if (bucket.low is None or days_overdue >= bucket.low) and (bucket.high is None or days_overdue <= bucket.high):
            return bucket.key
    raise AssertionError(days_overdue)


def _due_in(bucket: Bucket, today: date) -> Q:
    """Rows whose effective due date puts them `low`..`high` days overdue today, as bounds on the column."""
    bounds = Q()
    if bucket.high is not None:  # at most `high` days overdue: due on or after today - high
        bounds &= Q(effective_due__gte=day_start(today - timedelta(days=bucket.high)))
    if bucket.low is not None:  # at least `low` days overdue: due before today - low + 1
        bounds &= Q(effective_due__lt=day_start(today - timedelta(days=bucket.low - 1)))
    if bucket.key == "current":
        bounds |= Q(effective_due__isnull=True)
    return bounds


def open_items(
    *,
    connection_ids: list[int],
    direction: str = "",
    bucket: str = "",
    contact_id: int | None = None,
    search: str = "",
    today: date | None = None,
) -> QuerySet:
    """The open documents (open amount > 0) of these connections, annotated with `effective_due`."""
    types = DIRECTIONS.get(direction) or RECEIVABLE_TYPES + PAYABLE_TYPES
    rows = (
        Voucher.objects.present()
        .filter(connection_id__in=connection_ids, voucher_type__in=types, open_amount__gt=0)
        .exclude(voucher_status__in=("draft", "voided"))
        .annotate(effective_due=Coalesce("due_date", "voucher_date"))
    )
    if bucket in BUCKET_KEYS:
        chosen = next(b for b in BUCKETS if b.key == bucket)
        rows = rows.filter(_due_in(chosen, today or timezone.localdate()))
    if contact_id is not None:
        rows = rows.filter(contact_id=contact_id)
    if search:
        rows = rows.filter(Q(voucher_number__icontains=search) | Q(contact_name__icontains=search))
    return rows


def _bucket_sums(today: date) -> dict[str, Coalesce]:
    return {
        bucket.key: Coalesce(
            Sum(Case(When(_due_in(bucket, today), then=F("open_amount")), default=Value(ZERO), output_field=MONEY)),
            Value(ZERO),
            output_field=MONEY,
        )
        for bucket in BUCKETS
    }


@dataclass
class Totals:
    direction: str
    total: Decimal = ZERO
    count: int = 0
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKET_KEYS, ZERO))


def totals(rows: QuerySet, *, today: date | None = None) -> dict[str, Totals]:
    """Per direction: the open total, the number of documents and the amount in each bucket."""
    today = today or timezone.localdate()
    result = {direction: Totals(direction) for direction in DIRECTIONS}
    for direction, types in DIRECTIONS.items():
        row = rows.filter(voucher_type__in=types).aggregate(
            total=Coalesce(Sum("open_amount"), Value(ZERO), output_field=MONEY),
            count=Count("id"),
            **_bucket_sums(today),
        )
        result[direction] = Totals(direction, row["total"], row["count"], {key: row[key] for key in BUCKET_KEYS})
    return result


def per_contact(rows: QuerySet, *, today: date | None = None, sort: str = "-total") -> list[dict]:
    """One row per direction and contact (the collective contact by its name): total, count and buckets."""
    today = today or timezone.localdate()
    direction = Case(When(voucher_type__in=RECEIVABLE_TYPES, then=Value("receivable")), default=Value("payable"))
    grouped = (
        rows.order_by()
        .annotate(direction=direction)
        .values("direction", "contact_id", "contact_name")
        .annotate(
            total=Coalesce(Sum("open_amount"), Value(ZERO), output_field=MONEY),
            count=Count("id"),
            **_bucket_sums(today),
        )
    )
    key = sort.removeprefix("-")
    if key not in ("total", "contact_name", *BUCKET_KEYS):
        key = "total"
    result = list(grouped)
    result.sort(key=lambda row: (row[key] is None, row[key] if key != "contact_name" else row[key].lower()))
    if sort.startswith("-"):
        result.reverse()
    return result


ITEM_SORTS = {
    "due": "effective_due",
    "-due": "-effective_due",
    "amount": "open_amount",
    "-amount": "-open_amount",
    "contact": "contact_name",
    "-contact": "-contact_name",
}


def request_filters(request: HttpRequest) -> dict:
    """The open-items filters of a request, shared by the page, its export and the API."""
    contact = request.GET.get("contact", "")
    return {
        "direction": request.GET.get("direction", "") if request.GET.get("direction") in DIRECTIONS else "",
        "bucket": request.GET.get("bucket", "") if request.GET.get("bucket") in BUCKET_KEYS else "",
        "contact_id": int(contact) if contact.isdigit() and len(contact) < 19 else None,
        "search": request.GET.get("q", "").strip()[:100],
    }


def request_rows(request: HttpRequest) -> QuerySet:
    """The open documents the page lists, filtered and in the chosen order."""
    rows = open_items(connection_ids=connection_ids_of(request.user), **request_filters(request))
    order = ITEM_SORTS.get(request.GET.get("sort", ""), "effective_due")
    return rows.select_related("contact").order_by(order, "id")
