"""REST API for vouchers (every entry of Lexoffice's voucher list) and files added to them; the upload plumbing
they share with /api/v1/uploads/ is in vouchers/receipts/api.py."""

from datetime import date
from decimal import Decimal

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from connections.access import WalkedList, visible_connection_ids
from connections.models import Connection
from vouchers.models import BOOKKEEPING_TYPES, SALES_TYPES, STATUSES, Voucher, dated_between
from vouchers.receipts.api import SizeLimitedUploadMixin, UploadSerializer, uploaded_file
from vouchers.receipts.sync import attach_voucher_file
from vouchers.sync import push_voucher
from web.api import errors, number, queued, stamp
from web.filters import BooleanFilter, FilterBackend, FilterSet, IdFilter
from web.pagination import KeysetPagination

LIST_VALUES = (
    "id",
    "connection_id",
    "lexoffice_id",
    "version",
    "archived",
    "voucher_type",
    "voucher_status",
    "voucher_number",
    "voucher_date",
    "due_date",
    "contact_lexoffice_id",
    "contact_name",
    "total_amount",
    "open_amount",
    "currency",
    "remote_created_at",
    "remote_updated_at",
    "contact_id",
    "contact__lexoffice_id",
    "contact__name",
)


# Plain rows with one join, no model instances; set up once (resolving 20 field paths is ~0.2 ms a
# request) and cloned by each request's filters.
LIST_ROWS = Voucher.objects.present().values(*LIST_VALUES)


class VoucherFilter(FilterSet):
    type = django_filters.ChoiceFilter(
        field_name="voucher_type", choices=[(t, t) for t in (*BOOKKEEPING_TYPES, *SALES_TYPES)]
    )
    status = django_filters.ChoiceFilter(field_name="voucher_status", choices=[(s, s) for s in STATUSES])
    archived = BooleanFilter(field_name="archived")
    # Whole local days as datetime bounds, so the condition stays an index range.
    dateFrom = django_filters.DateFilter(method="filter_from", help_text="Voucher date on or after (YYYY-MM-DD).")
    dateTo = django_filters.DateFilter(method="filter_to", help_text="Voucher date on or before (YYYY-MM-DD).")
    amountMin = django_filters.NumberFilter(
        field_name="total_amount", lookup_expr="gte", max_digits=14, decimal_places=2
    )
    amountMax = django_filters.NumberFilter(
        field_name="total_amount", lookup_expr="lte", max_digits=14, decimal_places=2
    )
    contact = IdFilter(field_name="contact_id", help_text="Our id of the contact.")
    connection = IdFilter(field_name="connection_id")
    search = django_filters.CharFilter(
        field_name="voucher_number", lookup_expr="icontains", max_length=100, help_text="Part of the voucher number."
    )

    class Meta:
        model = Voucher
        fields: list[str] = []

    def filter_from(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset.filter(dated_between(value, None))

    def filter_to(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset.filter(dated_between(None, value))


class VoucherContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lexofficeId = serializers.UUIDField()
    name = serializers.CharField()


class VoucherSerializer(serializers.Serializer):
    """A voucher list entry in Lexoffice's names, plus our ids and the linked contact."""

    id = serializers.IntegerField()
    lexofficeId = serializers.UUIDField()
    connection = serializers.IntegerField()
    voucherType = serializers.CharField()
    voucherStatus = serializers.CharField()
    voucherNumber = serializers.CharField()
    voucherDate = serializers.DateTimeField(allow_null=True)
    dueDate = serializers.DateTimeField(allow_null=True)
    contactId = serializers.UUIDField(allow_null=True)
    contactName = serializers.CharField()
    totalAmount = serializers.FloatField(allow_null=True)
    openAmount = serializers.FloatField(allow_null=True)
    currency = serializers.CharField()
    archived = serializers.BooleanField()
    version = serializers.IntegerField(allow_null=True)
    createdDate = serializers.DateTimeField(allow_null=True)
    updatedDate = serializers.DateTimeField(allow_null=True)
    contact = VoucherContactSerializer(allow_null=True)

    def to_representation(self, voucher: Voucher | dict) -> dict:
        # Written out by hand over plain .values() rows: this is the API's hottest path (the list benchmark).
        row = voucher if isinstance(voucher, dict) else list_values(voucher)
        contact_lexoffice_id = row["contact_lexoffice_id"]
        return {
            "id": row["id"],
            "lexofficeId": str(row["lexoffice_id"]),
            "connection": row["connection_id"],
            "voucherType": row["voucher_type"],
            "voucherStatus": row["voucher_status"],
            "voucherNumber": row["voucher_number"],
            "voucherDate": stamp(row["voucher_date"]),
            "dueDate": stamp(row["due_date"]),
            "contactId": str(contact_lexoffice_id) if contact_lexoffice_id else None,
            "contactName": row["contact_name"],
            "totalAmount": number(row["total_amount"]),
            "openAmount": number(row["open_amount"]),
            "currency": row["currency"],
            "archived": row["archived"],
            "version": row["version"],
            "createdDate": stamp(row["remote_created_at"]),
            "updatedDate": stamp(row["remote_updated_at"]),
            "contact": None
            if row["contact_id"] is None
            else {
                "id": row["contact_id"],
                "lexofficeId": str(row["contact__lexoffice_id"]),
                "name": row["contact__name"],
            },
        }


def list_values(voucher: Voucher) -> dict:
    """A model instance as the row .values(*LIST_VALUES) would give."""
    contact = voucher.contact
    row = {name: getattr(voucher, name) for name in LIST_VALUES if "__" not in name}
    return row | {
        "contact__lexoffice_id": contact.lexoffice_id if contact else None,
        "contact__name": contact.name if contact else None,
    }


class VoucherFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lexofficeId = serializers.UUIDField()
    filename = serializers.CharField()
    contentType = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    downloaded = serializers.BooleanField(help_text="Whether Lexhub holds a local copy yet.")


class VoucherDetailSerializer(VoucherSerializer):
    details = serializers.DictField(
        allow_null=True,
        help_text="The full Lexoffice voucher record (bookkeeping "
        "vouchers), verbatim: voucherItems, taxType, files, ...",
    )
    files = VoucherFileSerializer(many=True)

    def to_representation(self, voucher: Voucher) -> dict:
        files = [
            {
                "id": f.pk,
                "lexofficeId": str(f.lexoffice_id),
                "filename": f.filename,
                "contentType": f.content_type,
                "size": f.size,
                "downloaded": f.is_local,
            }
            for f in voucher.files.order_by("id")
        ]
        return {**super().to_representation(voucher), "details": voucher.details, "files": files}


class VoucherItemSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    taxAmount = serializers.DecimalField(max_digits=14, decimal_places=2)
    taxRatePercent = serializers.DecimalField(max_digits=5, decimal_places=2)
    categoryId = serializers.UUIDField(help_text="A posting category id from Lexoffice.")


class VoucherCreateSerializer(serializers.Serializer):
    """A bookkeeping voucher in Lexoffice's fields, plus the connection to create it in."""

    connection = serializers.PrimaryKeyRelatedField(queryset=Connection.objects.none())
    type = serializers.ChoiceField(choices=BOOKKEEPING_TYPES)
    voucherStatus = serializers.ChoiceField(choices=["open", "unchecked"], required=False)
    voucherNumber = serializers.CharField(max_length=100, required=False, allow_blank=True)
    voucherDate = serializers.DateField(required=False)
    shippingDate = serializers.DateField(required=False, allow_null=True)
    dueDate = serializers.DateField(required=False, allow_null=True)
    totalGrossAmount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    totalTaxAmount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    taxType = serializers.ChoiceField(choices=["net", "gross"])
    useCollectiveContact = serializers.BooleanField(required=False)
    contactId = serializers.UUIDField(required=False, allow_null=True)
    contactName = serializers.CharField(max_length=255, required=False, allow_blank=True)
    remark = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    voucherItems = VoucherItemSerializer(many=True, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["connection"].queryset = Connection.objects.filter(pk__in=visible_connection_ids(request))


def plain(value: object) -> object:
    """Validated data back to JSON values for Lexoffice (decimals as numbers, dates as text)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, Decimal | float):
        return float(value)
    return value.isoformat() if isinstance(value, date) else str(value)  # dates; UUIDs as text


VOUCHER_EXAMPLE = OpenApiExample(
    "Purchase invoice",
    request_only=True,
    value={
        "connection": 1,
        "type": "purchaseinvoice",
        "voucherNumber": "RE-2026-0042",
        "voucherDate": "2026-11-20",
        "totalGrossAmount": 119.0,
        "totalTaxAmount": 19.0,
        "taxType": "gross",
        "useCollectiveContact": True,
        "voucherItems": [
            {
                "amount": 119.0,
                "taxAmount": 19.0,
                "taxRatePercent": 19,
                "categoryId": "16d04a28-2d6a-4b1d-9d4c-0f7d3f1d8a11",
            }
        ],
    },
)


@extend_schema_view(
    list=extend_schema(summary="List vouchers", responses={200: VoucherSerializer(many=True), **errors(400)}),
    retrieve=extend_schema(
        summary="One voucher with its details and files", responses={200: VoucherDetailSerializer, **errors(404)}
    ),
    create=extend_schema(
        summary="Create a bookkeeping voucher",
        request=VoucherCreateSerializer,
        examples=[VOUCHER_EXAMPLE],
        responses={201: VoucherDetailSerializer, **queued(), **errors(400, 403, 404, 409, 502)},
    ),
)
class VoucherViewSet(
    WalkedList,
    SizeLimitedUploadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Every entry of the voucher list (bookkeeping vouchers and sales documents), read from the mirror."""

    list_rows = LIST_ROWS

    pagination_class = KeysetPagination
    filter_backends = [FilterBackend]
    filterset_class = VoucherFilter
    ordering_fields = {
        "voucherDate": "voucher_date",
        "totalAmount": "total_amount",
        "voucherNumber": "voucher_number",
        "updatedDate": "remote_updated_at",
    }
    default_ordering = "-voucherDate"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet:
        mine = visible_connection_ids(self.request)
        if self.action == "list":
            return self.walk_rows(mine)
        return Voucher.objects.filter(connection_id__in=mine).present().select_related("contact")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "create":
            return VoucherCreateSerializer
        return VoucherSerializer if self.action == "list" else VoucherDetailSerializer

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = VoucherCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        connection = data.pop("connection")
        voucher = push_voucher(connection=connection, data=plain(data), user=request.user)
        return Response(VoucherDetailSerializer(voucher).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Add a file to a bookkeeping voucher",
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        responses={
            201: UploadSerializer,
            202: OpenApiResponse(UploadSerializer, description="Stored; sent to Lexoffice as soon as it can take it."),
            **errors(400, 404, 413, 415, 502),
        },
    )
    @action(detail=True, methods=["post"], url_path="files", parser_classes=[MultiPartParser])
    def add_file(self, request: Request, pk: str | None = None) -> Response:
        voucher = self.get_object()
        upload = attach_voucher_file(voucher=voucher, upload=uploaded_file(request), user=request.user)
        return UploadSerializer.respond(upload)
