"""The REST API of connections and sync runs."""

import django_filters
from django.core.validators import RegexValidator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from connections import api_audit, hooks
from connections import services as service
from connections.access import visible_connection_ids
from connections.models import Connection, SyncRun
from connections.sync import start_sync
from lexoffice.hosts import BaseUrlNotAllowed, checked_base_url
from web.api import errors
from web.filters import FilterBackend, FilterSet, IdFilter
from web.pagination import KeysetPagination

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
    connection: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
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

    def get_queryset(self) -> "QuerySet[Connection]":
        return Connection.objects.visible_to(self.request.user).order_by("pk")

    def owned(self) -> Connection:
        connection = self.get_object()
        if connection.owner_id != self.request.user.pk:
            raise Http404
        return connection

    def perform_create(self, serializer: serializers.BaseSerializer[Connection]) -> None:
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
        transaction.on_commit(lambda: hooks.request_webhook_subscriptions(connection.pk))
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

    def get_queryset(self) -> "QuerySet[SyncRun]":
        return SyncRun.objects.filter(connection_id__in=visible_connection_ids(self.request))
