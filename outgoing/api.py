"""The REST API of outgoing webhooks: endpoints (owner-managed), their delivery log, replay.

The secret is in the answer to create and rotate-secret only; no other answer, page or log has it.
A delivery's body is `{"type", "timestamp", "data": {"connection", "sequence", "lexofficeId", "deleted",
"record"}}`, where `record` is the record exactly as this API's own detail endpoint renders it
(Contact, VoucherDetail, SalesDocument in the schema).
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from connections.models import Connection
from outgoing import services
from outgoing.addresses import AddressRefused
from outgoing.events import EVENT_TYPES
from outgoing.models import Attempt, Delivery, Endpoint
from web.api import errors
from web.filters import FilterBackend, FilterSet, IdFilter
from web.pagination import KeysetPagination


class EndpointSerializer(serializers.ModelSerializer):
    connection = serializers.PrimaryKeyRelatedField(queryset=Connection.objects.none())
    eventTypes = serializers.ListField(
        source="event_types",
        child=serializers.CharField(max_length=60),
        min_length=1,
        max_length=50,
        help_text="Types or patterns: " + ", ".join(EVENT_TYPES[:6]) + ", ...; contact.* or * for all.",
    )
    disabledReason = serializers.CharField(source="disabled_reason", read_only=True)
    failingSince = serializers.DateTimeField(source="failing_since", read_only=True)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "connection",
            "url",
            "description",
            "eventTypes",
            "enabled",
            "disabledReason",
            "failingSince",
            "createdAt",
        ]
        read_only_fields = ["enabled"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        field = self.fields["connection"]
        if request is not None and isinstance(field, serializers.PrimaryKeyRelatedField):
            field.queryset = Connection.objects.owned_by(request.user)


class EndpointWithSecretSerializer(EndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="whsec_...: shown this once, store it now.")

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]


class EnableSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()


class ReplaySinceSerializer(serializers.Serializer):
    since = serializers.DateTimeField(help_text="Every event stored at or after this time is sent again.")
    onlyFailed = serializers.BooleanField(default=False)


class AttemptSerializer(serializers.ModelSerializer):
    startedAt = serializers.DateTimeField(source="started_at")
    durationMs = serializers.IntegerField(source="duration_ms")
    responseExcerpt = serializers.CharField(source="response_excerpt")

    class Meta:
        model = Attempt
        fields = ["startedAt", "durationMs", "status", "responseExcerpt", "error"]


class DeliverySerializer(serializers.ModelSerializer):
    connection = serializers.IntegerField(source="endpoint.connection_id")
    webhookId = serializers.CharField(source="event.webhook_id")
    type = serializers.CharField(source="event.event_type")
    sequence = serializers.IntegerField(source="event_id")
    lexofficeId = serializers.UUIDField(source="event.lexoffice_id", allow_null=True)
    nextAttemptAt = serializers.DateTimeField(source="next_attempt_at")
    lastStatus = serializers.IntegerField(source="last_status", allow_null=True)
    lastError = serializers.CharField(source="last_error")
    deliveredAt = serializers.DateTimeField(source="delivered_at", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    attemptLog = AttemptSerializer(source="attempt_log", many=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "connection",
            "endpoint",
            "webhookId",
            "type",
            "sequence",
            "lexofficeId",
            "state",
            "attempts",
            "nextAttemptAt",
            "lastStatus",
            "lastError",
            "deliveredAt",
            "createdAt",
            "attemptLog",
        ]


def owned_endpoints(request: Request) -> "QuerySet[Endpoint]":
    return Endpoint.objects.filter(connection__in=Connection.objects.owned_by(request.user))


CREATE_EXAMPLE = OpenApiExample(
    "Endpoint",
    request_only=True,
    value={"connection": 1, "url": "https://shop.example/hooks/lexhub", "eventTypes": ["contact.*", "invoice.*"]},
)


@extend_schema_view(
    list=extend_schema(
        summary="List your webhook endpoints", responses={200: EndpointSerializer(many=True), **errors(400)}
    ),
    retrieve=extend_schema(summary="One webhook endpoint", responses={200: EndpointSerializer, **errors(404)}),
    create=extend_schema(
        summary="Add an endpoint (the secret is in this answer only)",
        examples=[CREATE_EXAMPLE],
        responses={201: EndpointWithSecretSerializer, **errors(400)},
    ),
    destroy=extend_schema(summary="Delete an endpoint and its delivery log", responses={204: None, **errors(404)}),
)
class EndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """URLs of other tools that receive a connection's changes, signed per Standard Webhooks."""

    serializer_class = EndpointSerializer
    pagination_class = KeysetPagination
    ordering_fields = {"id": "id"}
    default_ordering = "id"

    def get_queryset(self) -> "QuerySet[Endpoint]":
        return owned_endpoints(self.request)

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        body = EndpointSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            created = services.create_endpoint(
                connection=data["connection"],
                user=request.user,
                url=data["url"],
                event_types=data["event_types"],
                description=data.get("description", ""),
            )
        except AddressRefused as exc:
            raise ValidationError({"url": [exc.message]}) from None
        except services.InvalidEventTypes as exc:
            raise ValidationError({"eventTypes": [exc.message]}) from None
        answer = EndpointWithSecretSerializer(created.endpoint).data | {"secret": created.secret}
        return Response(answer, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Rotate the secret (the old one keeps signing for 24 hours)",
        request=None,
        responses={200: EndpointWithSecretSerializer, **errors(404)},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        rotated = services.rotate_secret(endpoint=self.get_object())
        return Response(EndpointWithSecretSerializer(rotated.endpoint).data | {"secret": rotated.secret})

    @extend_schema(
        summary="Enable or disable", request=EnableSerializer, responses={200: EndpointSerializer, **errors(400, 404)}
    )
    @action(detail=True, methods=["post"])
    def enabled(self, request: Request, pk: str | None = None) -> Response:
        endpoint = self.get_object()
        body = EnableSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.set_enabled(endpoint=endpoint, enabled=body.validated_data["enabled"])
        endpoint.refresh_from_db()
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(
        summary="Send everything since a point again",
        request=ReplaySinceSerializer,
        responses={202: None, **errors(400, 404)},
    )
    @action(detail=True, methods=["post"])
    def replay(self, request: Request, pk: str | None = None) -> Response:
        endpoint = self.get_object()
        body = ReplaySinceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        count = services.replay_since(
            endpoint=endpoint, since=body.validated_data["since"], only_failed=body.validated_data["onlyFailed"]
        )
        return Response({"replayed": count}, status=status.HTTP_202_ACCEPTED)


class DeliveryFilter(FilterSet):
    endpoint = IdFilter(field_name="endpoint_id")

    class Meta:
        model = Delivery
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="The delivery log", responses={200: DeliverySerializer(many=True), **errors(400)}),
    retrieve=extend_schema(summary="One delivery and its attempts", responses={200: DeliverySerializer, **errors(404)}),
)
class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    """Every event sent to an endpoint: state, attempts (status, duration, response excerpt); replayable."""

    serializer_class = DeliverySerializer
    pagination_class = KeysetPagination
    filter_backends = [FilterBackend]
    filterset_class = DeliveryFilter
    ordering_fields = {"id": "id"}
    default_ordering = "-id"

    def get_queryset(self) -> "QuerySet[Delivery]":
        return (
            Delivery.objects.filter(endpoint__in=owned_endpoints(self.request))
            .select_related("event", "endpoint")
            .prefetch_related("attempt_log")
        )

    @extend_schema(summary="Send this delivery again", request=None, responses={202: None, **errors(404)})
    @action(detail=True, methods=["post"])
    def replay(self, request: Request, pk: str | None = None) -> Response:
        services.replay_delivery(delivery=self.get_object())
        return Response(status=status.HTTP_202_ACCEPTED)
