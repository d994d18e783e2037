"""REST API for the audit log (read-only) and the owner's "make an API call" passthrough."""

import base64
import json

from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request

from connections.access import visible_connection_ids
from connections.models import AuditLog, Connection
from connections.passthrough import PassthroughResult, call_api
from lexoffice.client import PASSTHROUGH_HEADERS, PASSTHROUGH_METHODS
from web.api import errors, stamp
from web.filters import FilterBackend, FilterSet, IdFilter
from web.pagination import KeysetPagination


class AuditLogSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    connection = serializers.IntegerField(allow_null=True)
    user = serializers.CharField(allow_null=True, help_text="Username of who sent it.")
    action = serializers.CharField(help_text="create_contact, update_voucher, upload_file, api_call, ...")
    method = serializers.CharField()
    path = serializers.CharField()
    payloadSha256 = serializers.CharField()
    status = serializers.IntegerField(allow_null=True, help_text="Lexoffice's HTTP status, if it answered.")
    result = serializers.CharField(help_text="sent, found, queued, rejected, unknown, ok, error, refused, failed")
    lexofficeId = serializers.CharField()
    message = serializers.CharField()
    createdAt = serializers.DateTimeField()

    def to_representation(self, entry: AuditLog) -> dict:
        return {
            "id": entry.pk,
            "connection": entry.connection_id,
            "user": entry.user.get_username() if entry.user is not None else None,
            "action": entry.action,
            "method": entry.method,
            "path": entry.path,
            "payloadSha256": entry.payload_sha256,
            "status": entry.status,
            "result": entry.result,
            "lexofficeId": entry.lexoffice_id,
            "message": entry.message,
            "createdAt": stamp(entry.created_at),
        }


class AuditLogFilter(FilterSet):
    connection = IdFilter(field_name="connection_id")

    class Meta:
        model = AuditLog
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="The audit log: every write sent to Lexoffice and every API call",
        responses={200: AuditLogSerializer(many=True), **errors(400)},
    ),
    retrieve=extend_schema(summary="One audit entry", responses={200: AuditLogSerializer, **errors(404)}),
)
class AuditLogViewSet(viewsets.ReadOnlyModelViewSet):
    """Who sent what to Lexoffice, when, and with which result (payloads only as SHA-256)."""

    serializer_class = AuditLogSerializer
    pagination_class = KeysetPagination
    filter_backends = [FilterBackend]
    filterset_class = AuditLogFilter
    ordering_fields = {"createdAt": "created_at"}
    default_ordering = "-createdAt"

    def get_queryset(self) -> QuerySet:
        mine = Q(connection_id__in=visible_connection_ids(self.request))
        # Entries whose connection was deleted stay visible to the person who made them.
        orphans = Q(connection__isnull=True, user_id=self.request.user.pk)
        return AuditLog.objects.filter(mine | orphans).select_related("user")


class ApiCallSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PASSTHROUGH_METHODS)
    path = serializers.CharField(
        max_length=2000,
        trim_whitespace=False,
        help_text="Relative, under /v1/, e.g. /v1/contacts?page=0 is written as "
        'path /v1/contacts and query {"page": "0"}.',
    )
    query = serializers.DictField(child=serializers.CharField(max_length=1000, allow_blank=True), required=False)
    headers = serializers.DictField(
        child=serializers.CharField(max_length=1000, allow_blank=True),
        required=False,
        help_text="Only " + ", ".join(PASSTHROUGH_HEADERS.values()) + ".",
    )
    body = serializers.JSONField(required=False, allow_null=True, help_text="JSON, or a string sent as is.")


class ApiCallResultSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    headers = serializers.DictField(child=serializers.CharField())
    contentType = serializers.CharField()
    body = serializers.CharField(help_text="The body as text, or base64 when bodyEncoding is base64.")
    bodyEncoding = serializers.ChoiceField(choices=["utf-8", "base64"])


API_CALL_EXAMPLE = OpenApiExample("Read the profile", request_only=True, value={"method": "GET", "path": "/v1/profile"})


def make_api_call(*, connection: Connection, request: Request) -> dict:
    """Validate the body, send it through the guarded passthrough (owners only), describe the answer."""
    serializer = ApiCallSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    body = data.get("body")
    if body is not None and not isinstance(body, dict | list | str):
        body = json.dumps(body)  # a bare number or boolean is still a JSON body
    result: PassthroughResult = call_api(
        connection=connection,
        user=request.user,
        method=data["method"],
        path=data["path"],
        query=data.get("query"),
        headers=data.get("headers"),
        body=body,
    )
    try:
        text, encoding = result.body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(result.body).decode(), "base64"
    return {
        "status": result.status,
        "headers": result.headers,
        "contentType": result.content_type,
        "body": text,
        "bodyEncoding": encoding,
    }
