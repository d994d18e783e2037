"""REST API: open items (documents and totals with aging buckets), dunnings from overdue invoices."""

from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from connections.access import visible_connection_ids
from reports import openitems
from reports.dunning import push_dunning
from vouchers.models import Voucher
from web.api import errors, number, queued, stamp
from web.pagination import KeysetPagination

FILTERS = [
    OpenApiParameter("direction", str, enum=list(openitems.DIRECTIONS), description="receivable or payable"),
    OpenApiParameter("bucket", str, enum=list(openitems.BUCKET_KEYS), description="aging bucket"),
    OpenApiParameter("contact", int, description="Our id of the contact."),
    OpenApiParameter("search", str, description="Part of the number or contact name."),
]


class OpenItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Our id of the voucher list entry.")
    lexofficeId = serializers.UUIDField()
    connection = serializers.IntegerField()
    direction = serializers.ChoiceField(choices=list(openitems.DIRECTIONS))
    voucherType = serializers.CharField()
    voucherNumber = serializers.CharField()
    contact = serializers.IntegerField(allow_null=True)
    contactName = serializers.CharField()
    voucherDate = serializers.DateTimeField(allow_null=True)
    dueDate = serializers.DateTimeField(allow_null=True, help_text="The voucher date where Lexoffice has none.")
    daysOverdue = serializers.IntegerField()
    bucket = serializers.ChoiceField(choices=list(openitems.BUCKET_KEYS))
    totalAmount = serializers.FloatField(allow_null=True)
    openAmount = serializers.FloatField()

    def to_representation(self, voucher: Voucher) -> dict:
        due = voucher.due_date or voucher.voucher_date
        days = (timezone.localdate() - timezone.localtime(due).date()).days if due else 0
        return {
            "id": voucher.pk,
            "lexofficeId": str(voucher.lexoffice_id),
            "connection": voucher.connection_id,
            "direction": "receivable" if voucher.voucher_type in openitems.RECEIVABLE_TYPES else "payable",
            "voucherType": voucher.voucher_type,
            "voucherNumber": voucher.voucher_number,
            "contact": voucher.contact_id,
            "contactName": voucher.contact_name,
            "voucherDate": stamp(voucher.voucher_date),
            "dueDate": stamp(due),
            "daysOverdue": max(days, 0),
            "bucket": openitems.bucket_of(days),
            "totalAmount": number(voucher.total_amount),
            "openAmount": number(voucher.open_amount),
        }


BUCKETS = inline_serializer("AgingBuckets", {key: serializers.FloatField() for key in openitems.BUCKET_KEYS})
SUMMARY = inline_serializer(
    "OpenItemSummary",
    {
        "receivable": inline_serializer(
            "OpenTotals", {"total": serializers.FloatField(), "count": serializers.IntegerField(), "buckets": BUCKETS}
        ),
        "payable": inline_serializer(
            "OpenTotalsPayable",
            {"total": serializers.FloatField(), "count": serializers.IntegerField(), "buckets": BUCKETS},
        ),
        "contacts": serializers.ListField(child=serializers.DictField()),
    },
)
DUNNING_IN = inline_serializer(
    "DunningRequest",
    {
        "fee": serializers.DecimalField(max_digits=7, decimal_places=2, required=False),
        "remark": serializers.CharField(required=False),
    },
)
DUNNING_OUT = inline_serializer(
    "Dunning",
    {"id": serializers.IntegerField(), "lexofficeId": serializers.UUIDField(), "pdf": serializers.CharField()},
)


@extend_schema_view(
    list=extend_schema(
        summary="Open items: receivables and payables with an open amount",
        parameters=FILTERS,
        responses={200: OpenItemSerializer(many=True), **errors(400)},
    ),
    retrieve=extend_schema(summary="One open item", responses={200: OpenItemSerializer, **errors(404)}),
)
class OpenItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OpenItemSerializer
    pagination_class = KeysetPagination
    ordering_fields = {"dueDate": "due_date", "openAmount": "open_amount", "voucherDate": "voucher_date"}
    default_ordering = "dueDate"

    def get_queryset(self) -> QuerySet:
        params = self.request.query_params
        contact = params.get("contact", "")
        if contact and not (contact.isdigit() and len(contact) < 19):
            raise ValidationError({"contact": ["Give our id of a contact."]})
        for name, allowed in (("direction", openitems.DIRECTIONS), ("bucket", openitems.BUCKET_KEYS)):
            if params.get(name) and params[name] not in allowed:
                raise ValidationError({name: [f"Choose one of: {', '.join(allowed)}."]})
        return openitems.open_items(
            connection_ids=visible_connection_ids(self.request),
            direction=params.get("direction", ""),
            bucket=params.get("bucket", ""),
            contact_id=int(contact) if contact else None,
            search=params.get("search", "").strip()[:100],
        )

    @extend_schema(
        summary="Open totals and aging buckets, in total and per contact",
        parameters=FILTERS,
        responses={200: SUMMARY, **errors(400)},
    )
    @action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        rows = self.get_queryset()
        today = timezone.localdate()
        body: dict = {
            direction: {
                "total": float(t.total),
                "count": t.count,
                "buckets": {key: float(value) for key, value in t.buckets.items()},
            }
            for direction, t in openitems.totals(rows, today=today).items()
        }
        body["contacts"] = [
            {
                "direction": row["direction"],
                "contact": row["contact_id"],
                "contactName": row["contact_name"],
                "count": row["count"],
                "total": float(row["total"]),
                "buckets": {key: float(row[key]) for key in openitems.BUCKET_KEYS},
            }
            for row in openitems.per_contact(rows, today=today)
        ]
        return Response(body)

    @extend_schema(
        summary="Create a dunning (Mahnung) in Lexoffice for this overdue invoice",
        request=DUNNING_IN,
        responses={201: DUNNING_OUT, **queued(), **errors(400, 404, 502)},
    )
    @action(detail=True, methods=["post"])
    def dunning(self, request: Request, pk: str | None = None) -> Response:
        voucher = self.get_object()
        try:
            fee = Decimal(str(request.data.get("fee", "0") or "0"))
        except InvalidOperation:
            raise ValidationError({"fee": ["A number, e.g. 5.00."]}) from None
        remark = str(request.data.get("remark", ""))
        dunning = push_dunning(voucher=voucher, user=request.user, fee=fee, remark=remark)
        pdf = request.build_absolute_uri(f"/reports/dunnings/{dunning.pk}/pdf/")
        return Response({"id": dunning.pk, "lexofficeId": str(dunning.lexoffice_id), "pdf": pdf}, status=201)
