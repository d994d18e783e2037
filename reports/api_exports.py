"""REST API of the period export: start one, follow its progress, download its ZIP; read and set the mapping."""

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from connections.access import visible_connection_ids
from connections.models import Connection
from reports import datev, package, period
from reports.models import AccountMapping, PeriodExport
from vouchers.api_files import BINARY, AnyRenderer
from web.api import errors


class PeriodExportSerializer(serializers.ModelSerializer):
    connection = serializers.PrimaryKeyRelatedField(queryset=Connection.objects.none())
    user = serializers.CharField(source="user.get_username", read_only=True, allow_null=True)

    class Meta:
        model = PeriodExport
        fields = [
            "id", "connection", "user", "start", "end", "chart", "consultant_number", "client_number", "state",
            "done", "total", "documents", "files", "bookings", "problems", "error", "size", "sha256", "created_at",
            "finished_at",
        ]  # fmt: skip
        read_only_fields = [
            "state", "done", "total", "documents", "files", "bookings", "problems", "error", "size", "sha256",
            "created_at", "finished_at",
        ]  # fmt: skip

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        request = self.context.get("request")
        if request is not None:
            field = self.fields["connection"]
            field.queryset = Connection.objects.filter(pk__in=visible_connection_ids(request))  # type: ignore[attr-defined]


class AccountMappingSerializer(serializers.Serializer):
    chart = serializers.ChoiceField(choices=list(datev.CHARTS))
    categoryId = serializers.CharField(help_text="Lexoffice's posting category id, or sales:<taxType> for invoices.")
    categoryName = serializers.CharField(required=False)
    account = serializers.CharField(help_text="A 4-digit G/L account of the chart.")


@extend_schema_view(
    list=extend_schema(
        summary="Period exports (newest first)", responses={200: PeriodExportSerializer(many=True), **errors()}
    ),
    retrieve=extend_schema(
        summary="One period export and its progress", responses={200: PeriodExportSerializer, **errors(404)}
    ),
    create=extend_schema(
        summary="Start a period export for the tax advisor (ZIP of documents, index, DATEV batch)",
        request=PeriodExportSerializer,
        responses={201: PeriodExportSerializer, **errors(400)},
    ),
)
class PeriodExportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PeriodExportSerializer

    def get_queryset(self) -> QuerySet:
        return PeriodExport.objects.filter(connection_id__in=visible_connection_ids(self.request)).select_related(
            "user"
        )

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        try:
            with transaction.atomic():
                run = package.start_export(
                    connection=data["connection"], user=self.request.user, start=data["start"], end=data["end"],
                    chart=data.get("chart", "SKR03"), consultant=data.get("consultant_number", 1001),
                    client=data.get("client_number", 1),
                )  # fmt: skip
                transaction.on_commit(lambda: _enqueue(run.pk))
        except period.ExportRefused as exc:
            raise ValidationError({"detail": [exc.message]}) from None
        serializer.instance = run

    @extend_schema(summary="The export's ZIP", responses={**BINARY, **errors(404)})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, AnyRenderer])
    def zip(self, request: Request, pk: str | None = None) -> FileResponse:
        run = self.get_object()
        path = package.export_dir() / f"{run.pk}.zip"
        if run.state != PeriodExport.State.DONE or not path.exists():
            raise Http404("The export has no ZIP (yet).")
        return FileResponse(path.open("rb"), as_attachment=True, filename=f"period-export-{run.pk}.zip")

    @extend_schema(
        summary="A connection's account mapping (posting category -> SKR03/SKR04 account); PUT replaces one chart's",
        responses={200: AccountMappingSerializer(many=True), **errors(400, 404)},
        request=AccountMappingSerializer(many=True),
    )
    @action(detail=False, methods=["get", "put"], url_path=r"mapping/(?P<connection_id>\d+)")
    def mapping(self, request: Request, connection_id: str) -> Response:
        if int(connection_id) not in visible_connection_ids(request):
            raise Http404("No such connection")
        if request.method == "PUT":
            _replace_mapping(int(connection_id), request.data)
        rows = AccountMapping.objects.filter(connection_id=int(connection_id)).order_by("chart", "category_id")
        return Response([_entry(row) for row in rows])


def _entry(row: AccountMapping) -> dict:
    return {
        "chart": row.chart,
        "categoryId": row.category_id,
        "categoryName": row.category_name,
        "account": row.account,
    }


def _replace_mapping(connection_id: int, data: object) -> None:
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValidationError({"detail": ["Send a list of {chart, categoryId, account}."]})
    bad = [
        f"{item.get('categoryId')}: {item.get('account')}"
        for item in data
        if item.get("chart") not in datev.CHARTS
        or not str(item.get("categoryId") or "")
        or not datev.valid_ledger_account(str(item.get("account") or ""))
    ]
    if bad:
        raise ValidationError(
            {"detail": [f"Not a {datev.ACCOUNT_LENGTH}-digit G/L account or chart: " + ", ".join(bad[:20])]}
        )
    with transaction.atomic():
        for chart in {item["chart"] for item in data}:
            AccountMapping.objects.filter(connection_id=connection_id, chart=chart).delete()
        AccountMapping.objects.bulk_create(
            AccountMapping(
                connection_id=connection_id, chart=item["chart"], category_id=str(item["categoryId"])[:64],
                category_name=str(item.get("categoryName") or "")[:255], account=str(item["account"]),
            )
            for item in data
        )  # fmt: skip


def _enqueue(run_id: int) -> None:
    from reports.tasks import period_export_task

    period_export_task.delay(run_id)
