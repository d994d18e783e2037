"""REST API for invoices and the other sales documents: read from the mirror, render, download PDF/XML."""

import django_filters
from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from connections.access import visible_connection_ids
from invoices.models import KINDS, SalesDocument
from invoices.sync import ensure_document_file, render_document
from vouchers.api_files import BINARY, AnyRenderer, FileDownloadMixin, file_response
from web.api import errors
from web.filters import BooleanFilter, FilterBackend, FilterSet, IdFilter
from web.pagination import KeysetPagination


class SalesDocumentSerializer(serializers.Serializer):
    """The document as Lexoffice returns it (lineItems, address, totalPrice, ...), plus our ids."""

    id = serializers.IntegerField(help_text="Our id.")
    lexofficeId = serializers.UUIDField()
    connection = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=list(KINDS), help_text="invoice, creditnote, quotation, ...")
    voucher = serializers.IntegerField(allow_null=True, help_text="Our id of its voucher list entry.")
    documentFile = serializers.IntegerField(allow_null=True, help_text="Our id of the downloaded PDF, once fetched.")
    xmlFile = serializers.IntegerField(allow_null=True, help_text="Our id of the XRechnung XML, once fetched.")
    voucherNumber = serializers.CharField(required=False, allow_null=True)
    voucherStatus = serializers.CharField(required=False, allow_null=True)
    voucherDate = serializers.CharField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False, allow_null=True)
    address = serializers.DictField(required=False, allow_null=True)
    lineItems = serializers.ListField(child=serializers.DictField(), required=False, allow_null=True)
    totalPrice = serializers.DictField(required=False, allow_null=True)

    def to_representation(self, document: SalesDocument) -> dict:
        return {
            **document.raw,
            "id": document.pk,
            "lexofficeId": str(document.lexoffice_id),
            "connection": document.connection_id,
            "kind": document.kind,
            "voucher": document.voucher_id,
            "documentFile": document.document_file_id,
            "xmlFile": document.xml_file_id,
        }


class SalesDocumentFilter(FilterSet):
    kind = django_filters.ChoiceFilter(field_name="kind", choices=[(kind, kind) for kind in KINDS])
    status = django_filters.CharFilter(field_name="voucher_status", max_length=30)
    archived = BooleanFilter(field_name="archived")
    search = django_filters.CharFilter(field_name="voucher_number", lookup_expr="icontains", max_length=100)
    connection = IdFilter(field_name="connection_id")

    class Meta:
        model = SalesDocument
        fields: list[str] = []


RENDERED = inline_serializer(
    "Rendered", {"documentFileId": serializers.UUIDField(help_text="Lexoffice's id of the rendered file.")}
)


@extend_schema_view(
    list=extend_schema(
        summary="List invoices and other sales documents",
        responses={200: SalesDocumentSerializer(many=True), **errors(400)},
    ),
    retrieve=extend_schema(summary="One sales document", responses={200: SalesDocumentSerializer, **errors(404)}),
)
class SalesDocumentViewSet(FileDownloadMixin, viewsets.ReadOnlyModelViewSet):
    """Invoices, credit notes, quotations, ... whose details the mirror holds (read-only in Lexoffice's API)."""

    serializer_class = SalesDocumentSerializer
    pagination_class = KeysetPagination
    filter_backends = [FilterBackend]
    filterset_class = SalesDocumentFilter
    ordering_fields = {
        "voucherDate": "voucher_date",
        "voucherNumber": "voucher_number",
        "totalGrossAmount": "total_gross_amount",
    }
    default_ordering = "-voucherDate"

    def get_queryset(self) -> QuerySet:
        return SalesDocument.objects.filter(connection_id__in=visible_connection_ids(self.request)).present()

    @extend_schema(
        summary="Render the document in Lexoffice",
        request=None,
        responses={
            200: OpenApiResponse(
                RENDERED,
                examples=[OpenApiExample("Rendered", value={"documentFileId": "b26e1d73-19ff-46b1-8929-09d8d73d4167"})],
            ),
            **errors(404, 409, 502),
        },
    )
    @action(detail=True, methods=["post"])
    def render(self, request: Request, pk: str | None = None) -> Response:
        return Response({"documentFileId": render_document(document=self.get_object())})

    @extend_schema(summary="Download the PDF", responses={**BINARY, **errors(404, 409, 502)})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, AnyRenderer])
    def pdf(self, request: Request, pk: str | None = None) -> FileResponse:
        return file_response(ensure_document_file(document=self.get_object(), fmt="pdf"))

    @extend_schema(summary="Download the XRechnung XML", responses={**BINARY, **errors(404, 502)})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, AnyRenderer])
    def xml(self, request: Request, pk: str | None = None) -> FileResponse:
        return file_response(ensure_document_file(document=self.get_object(), fmt="xml"))
