"""REST API for connections, sync runs and webhook events; one exception handler for all errors."""

import django_filters
from django.core.validators import RegexValidator
from django.db import transaction
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from lexhub import api_audit
from lexhub import connections as service
from lexhub.api_common import FilterBackend, FilterSet, IdFilter, KeysetPagination, errors, visible_connection_ids
from lexhub.models import Connection, SyncRun
from lexhub.sync import start_sync
from lexhub.writes import EditConflict, WriteError, WriteQueued
from lexoffice.errors import LexofficeError
from lexoffice.hosts import BaseUrlNotAllowed, checked_base_url
from vouchers.models import File, Upload
from vouchers.sync import DuplicateUpload
from webhooks.models import WebhookEvent
from webhooks.tasks import register_webhooks_task, replay


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every error as {code, message, fieldErrors}; Lexoffice's own errors included, secrets never."""
    if isinstance(exc, WriteQueued):
        entry = exc.entry
        return Response(
            {
                "code": "queued",
                "message": exc.message,
                "fieldErrors": {},
                "outbox": {
                    "id": entry.pk,
                    "operation": entry.operation,
                    "state": entry.state,
                    "attempts": entry.attempts,
                    "createdAt": entry.created_at,
                },
            },
            status=status.HTTP_202_ACCEPTED,
        )
    if isinstance(exc, EditConflict):
        return Response(
            {
                "code": "conflict",
                "message": exc.message,
                "fieldErrors": {},
                "mine": exc.mine,
                "theirs": exc.theirs,
                "fields": exc.fields,
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DuplicateUpload):
        return duplicate_response(exc)
    if isinstance(exc, WriteError):
        return Response(
            {"code": "write_error", "message": exc.message, "fieldErrors": exc.field_errors}, status=exc.status
        )
    if isinstance(exc, service.ConnectionRejected):
        return Response({"code": "connection_rejected", "message": str(exc), "fieldErrors": {}}, status=400)
    if isinstance(exc, BaseUrlNotAllowed):
        return Response({"code": "base_url_not_allowed", "message": exc.message, "fieldErrors": {}}, status=400)
    if isinstance(exc, LexofficeError):
        return Response(
            {
                "code": "lexoffice_error",
                "message": f"Lexoffice answered {exc.status or 'nothing'}",
                "fieldErrors": exc.field_errors,
            },
            status=502,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        field_errors = flatten_errors(response.data)
        response.data = {"code": "invalid", "message": "The request has invalid fields.", "fieldErrors": field_errors}
    else:  # APIException, and Http404 / PermissionDenied, which DRF has turned into theirs
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        code = getattr(detail, "code", None)
        response.data = {"code": code if isinstance(code, str) else "error", "message": str(detail), "fieldErrors": {}}
    return response


@csrf_exempt  # it changes nothing; a POST to a wrong URL is a 404, not a CSRF refusal
def not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Unknown /api/ URLs (a malformed id included) answer in the API's error shape, not an HTML page."""
    return JsonResponse(
        {"code": "not_found", "message": "No such API endpoint or record.", "fieldErrors": {}}, status=404
    )


def flatten_errors(detail: object, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as Lexoffice-style paths: {"company": {"contactPersons": [{"lastName": [..]}]}}
    becomes {"company.contactPersons[0].lastName": [..]}, like the service's own field errors."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            if key == "non_field_errors":  # about the object itself: its own path
                path = prefix
            else:
                path = f"{prefix}[{key}]" if isinstance(key, int) else f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, path))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(flatten_errors(item, f"{prefix}[{index}]"))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "nonFieldErrors": [str(message) for message in messages]}


def duplicate_response(exc: DuplicateUpload) -> Response:
    voucher = exc.voucher
    named = f" (voucher {voucher.voucher_number or voucher.lexoffice_id})" if voucher is not None else ""
    message = f"This file was uploaded before{named}. Send force=true to upload it anyway."
    existing = exc.existing
    return Response(
        {
            "code": "duplicate",
            "message": message,
            "fieldErrors": {"file": [message]},
            "existing": {
                "upload": existing.pk if isinstance(existing, Upload) else None,
                "file": existing.pk if isinstance(existing, File) else existing.file_id,
                "voucher": None
                if voucher is None
                else {"id": voucher.pk, "voucherNumber": voucher.voucher_number, "voucherType": voucher.voucher_type},
            },
        },
        status=status.HTTP_409_CONFLICT,
    )


# Keys travel in an HTTP header: anything but printable ASCII could not be sent (and is no Lexoffice key).
API_KEY = RegexValidator(r"^[\x21-\x7e]+$", "An API key consists of printable ASCII characters without spaces.")


class ReplaceKeySerializer(serializers.Serializer):
    apiKey = serializers.CharField(trim_whitespace=True, max_length=500, validators=[API_KEY])


class ConnectionSerializer(serializers.ModelSerializer):
    apiKey = serializers.CharField(
        write_only=True, trim_whitespace=True, max_length=500, validators=[API_KEY], style={"input_type": "password"}
    )
    baseUrl = serializers.CharField(
        source="base_url",
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Empty for Lexoffice, or one of the addresses the deployment allows (LEXOFFICE_API_BASE_URLS).",
    )
    organizationId = serializers.UUIDField(source="organization_id", read_only=True)
    companyName = serializers.CharField(source="company_name", read_only=True)
    keyExpiresOn = serializers.DateField(source="key_expires_on", read_only=True)
    statusDetail = serializers.CharField(source="status_detail", read_only=True)
    rateLimit = serializers.FloatField(source="rate_limit", read_only=True)

    def validate_baseUrl(self, value: str) -> str:
        try:
            return checked_base_url(value)
        except BaseUrlNotAllowed as exc:
            raise serializers.ValidationError(exc.message) from None

    class Meta:
        model = Connection
        fields = [
            "id",
            "name",
            "apiKey",
            "baseUrl",
            "organizationId",
            "companyName",
            "status",
            "statusDetail",
            "keyExpiresOn",
            "rateLimit",
            "created_at",
        ]
        read_only_fields = ["status", "created_at"]


class SyncRunSerializer(serializers.ModelSerializer):
    connection = serializers.PrimaryKeyRelatedField(read_only=True)
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = SyncRun
        fields = [
            "id",
            "connection",
            "kind",
            "state",
            "phase",
            "done",
            "total",
            "percent",
            "counts",
            "requests",
            "errors",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]


class StartSyncSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[SyncRun.Kind.FULL, SyncRun.Kind.INCREMENTAL], default=SyncRun.Kind.INCREMENTAL
    )


class WebhookEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEvent
        fields = [
            "id",
            "connection",
            "event_type",
            "resource_id",
            "event_date",
            "state",
            "attempts",
            "error",
            "received_at",
            "processed_at",
        ]


@extend_schema_view(
    list=extend_schema(summary="List your connections", responses={200: ConnectionSerializer(many=True), **errors()}),
    retrieve=extend_schema(summary="One connection", responses={200: ConnectionSerializer, **errors(404)}),
    create=extend_schema(
        summary="Connect a Lexoffice account (the key is verified first, never returned)",
        examples=[
            OpenApiExample(
                "Connect",
                request_only=True,
                value={"name": "My company", "apiKey": "your-lexoffice-api-key", "baseUrl": ""},
            )
        ],
        responses={201: ConnectionSerializer, **errors(400)},
    ),
    destroy=extend_schema(
        summary="Delete a connection and its mirror (owner only)", responses={204: None, **errors(404)}
    ),
)
class ConnectionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Lexoffice accounts. The API key is write-only: verified on create, never returned."""

    serializer_class = ConnectionSerializer

    def get_queryset(self):
        return Connection.objects.visible_to(self.request.user).order_by("pk")

    def owned(self) -> Connection:
        connection = self.get_object()
        if connection.owner_id != self.request.user.pk:
            raise Http404
        return connection

    def perform_create(self, serializer: ConnectionSerializer) -> None:
        data = serializer.validated_data
        connection = service.create_connection(
            name=data["name"], api_key=data["apiKey"], owner=self.request.user, base_url=data.get("base_url", "")
        )
        start_sync(connection=connection, kind=SyncRun.Kind.FULL, user=self.request.user)
        serializer.instance = connection

    def perform_destroy(self, instance: Connection) -> None:
        service.delete_connection(connection=self.owned())

    @extend_schema(
        summary="Verify the key again", request=None, responses={200: ConnectionSerializer, **errors(400, 404)}
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        connection = service.reverify_connection(connection=self.owned())
        return Response(ConnectionSerializer(connection).data)

    @extend_schema(
        summary="Replace the API key (verified first)",
        request=ReplaceKeySerializer,
        responses={200: ConnectionSerializer, **errors(400, 404)},
    )
    @action(detail=True, methods=["post"], url_path="key")
    def replace_key(self, request: Request, pk: str | None = None) -> Response:
        connection = self.owned()
        body = ReplaceKeySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        connection = service.replace_api_key(connection=connection, api_key=body.validated_data["apiKey"])
        return Response(ConnectionSerializer(connection).data)

    @extend_schema(
        summary="Register the webhook subscriptions again", request=None, responses={202: None, **errors(404)}
    )
    @action(detail=True, methods=["post"])
    def webhooks(self, request: Request, pk: str | None = None) -> Response:
        connection = self.owned()
        transaction.on_commit(lambda: register_webhooks_task.delay(connection.pk))
        return Response(status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Start a full or incremental sync",
        request=StartSyncSerializer,
        responses={202: SyncRunSerializer, **errors(400, 404)},
    )
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str | None = None) -> Response:
        connection = self.get_object()
        body = StartSyncSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = start_sync(connection=connection, kind=body.validated_data["kind"], user=request.user)
        return Response(SyncRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Make an API call (connection owners only)",
        request=api_audit.ApiCallSerializer,
        examples=[api_audit.API_CALL_EXAMPLE],
        responses={200: api_audit.ApiCallResultSerializer, **errors(400, 403, 404, 502)},
    )
    @action(detail=True, methods=["post"], url_path="api-call")
    def api_call(self, request: Request, pk: str | None = None) -> Response:
        """Any /v1/ request of this connection, through the same limiter and guards as the web UI; audited."""
        return Response(api_audit.make_api_call(connection=self.get_object(), request=request))


class SyncRunFilter(FilterSet):
    connection = IdFilter(field_name="connection_id")
    state = django_filters.ChoiceFilter(choices=SyncRun.State.choices)
    kind = django_filters.ChoiceFilter(choices=SyncRun.Kind.choices)

    class Meta:
        model = SyncRun
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="List sync runs", responses={200: SyncRunSerializer(many=True), **errors(400)}),
    retrieve=extend_schema(summary="One sync run and its progress", responses={200: SyncRunSerializer, **errors(404)}),
)
class SyncRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Sync runs with their live progress."""

    serializer_class = SyncRunSerializer
    pagination_class = KeysetPagination
    filter_backends = [FilterBackend]
    filterset_class = SyncRunFilter
    ordering_fields = {"id": "id"}
    default_ordering = "-id"

    def get_queryset(self):
        return SyncRun.objects.filter(connection_id__in=visible_connection_ids(self.request))


class WebhookEventFilter(FilterSet):
    connection = IdFilter(field_name="connection_id")
    state = django_filters.ChoiceFilter(choices=WebhookEvent.State.choices)
    type = django_filters.CharFilter(field_name="event_type", max_length=60, help_text="e.g. contact.changed")

    class Meta:
        model = WebhookEvent
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="List received webhook events", responses={200: WebhookEventSerializer(many=True), **errors(400)}
    ),
    retrieve=extend_schema(summary="One webhook event", responses={200: WebhookEventSerializer, **errors(404)}),
)
class WebhookEventViewSet(viewsets.ReadOnlyModelViewSet):
    """Received webhook deliveries; dead ones can be replayed."""

    serializer_class = WebhookEventSerializer
    pagination_class = KeysetPagination
    filter_backends = [FilterBackend]
    filterset_class = WebhookEventFilter
    ordering_fields = {"id": "id"}
    default_ordering = "-id"

    def get_queryset(self):
        return WebhookEvent.objects.filter(connection_id__in=visible_connection_ids(self.request))

    @extend_schema(summary="Replay an event", request=None, responses={202: WebhookEventSerializer, **errors(404)})
    @action(detail=True, methods=["post"])
    def replay(self, request: Request, pk: str | None = None) -> Response:
        event = self.get_object()
        replay(event)
        event.refresh_from_db()
        return Response(WebhookEventSerializer(event).data, status=status.HTTP_202_ACCEPTED)
