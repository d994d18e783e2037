"""The REST API of received webhook events."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from connections.access import visible_connection_ids
from web.api import errors
from web.filters import FilterBackend, FilterSet, IdFilter
from web.pagination import KeysetPagination
from webhooks.models import WebhookEvent
from webhooks.tasks import replay


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
