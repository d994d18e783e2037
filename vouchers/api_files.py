"""REST API for files (/api/v1/files/), and the download plumbing other viewsets share (invoices' documents)."""

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseBase
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from connections.access import visible_connection_ids
from connections.writes import from_lexoffice
from lexoffice.client import LexofficeError
from vouchers.models import File
from vouchers.serving import file_response as serve_file
from vouchers.sync import ensure_local_file
from web.api import errors, stamp
from web.pagination import KeysetPagination


class AnyRenderer(BaseRenderer):
    """Lets a client ask for application/pdf (or anything) from a download; error bodies stay JSON."""

    media_type = "*/*"
    format = "download"

    def render(self, data: object, accepted_media_type: str | None = None, renderer_context: dict | None = None):
        return JSONRenderer().render(data, "application/json", renderer_context)


class FileDownloadMixin:
    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: object, **kwargs: object
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and isinstance(response.accepted_renderer, AnyRenderer):
            response.accepted_renderer, response.accepted_media_type = JSONRenderer(), "application/json"
        return response


def file_response(file: File) -> FileResponse:
    """A stored file as an attachment: the one serving rule of vouchers.serving, never shown inline."""
    return serve_file(file, inline=False)


BINARY = {
    (200, "*/*"): OpenApiResponse({"type": "string", "format": "binary"}, description="The file, as an attachment.")
}


class FileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lexofficeId = serializers.UUIDField()
    connection = serializers.IntegerField()
    voucher = serializers.IntegerField(allow_null=True)
    filename = serializers.CharField()
    contentType = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    sha256 = serializers.CharField()
    downloaded = serializers.BooleanField()
    createdAt = serializers.DateTimeField()

    def to_representation(self, file: File) -> dict:
        return {
            "id": file.pk,
            "lexofficeId": str(file.lexoffice_id),
            "connection": file.connection_id,
            "voucher": file.voucher_id,
            "filename": file.filename,
            "contentType": file.content_type,
            "size": file.size,
            "sha256": file.sha256,
            "downloaded": file.is_local,
            "createdAt": stamp(file.created_at),
        }


@extend_schema_view(
    list=extend_schema(summary="List files", responses={200: FileSerializer(many=True), **errors(400)}),
    retrieve=extend_schema(summary="One file's metadata", responses={200: FileSerializer, **errors(404)}),
)
class FileViewSet(FileDownloadMixin, viewsets.ReadOnlyModelViewSet):
    """Files in Lexoffice (receipts, rendered documents) and whether Lexhub holds a copy."""

    serializer_class = FileSerializer
    pagination_class = KeysetPagination
    ordering_fields = {"id": "id"}
    default_ordering = "-id"

    def get_queryset(self) -> QuerySet:
        return File.objects.filter(connection_id__in=visible_connection_ids(self.request))

    @extend_schema(summary="Download a file", responses={**BINARY, **errors(404, 502)})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, AnyRenderer])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        file = self.get_object()
        try:
            ensure_local_file(file=file)
        except LexofficeError as exc:
            raise from_lexoffice(exc) from None
        return file_response(file)
