"""REST: the e-invoice behind a voucher, normalised, with its findings (/api/v1/vouchers/{id}/e-invoice/)."""

from typing import Any

from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from connections.access import visible_connection_ids
from einvoices.models import EInvoice
from web.api import errors, stamp

FINDING = inline_serializer(
    "EInvoiceFinding",
    {
        "rule": serializers.CharField(help_text="EN 16931 / XRechnung rule id, e.g. BR-CO-15; XSD for the schema."),
        "severity": serializers.ChoiceField(choices=["error", "warning"]),
        "message_de": serializers.CharField(),
        "message_en": serializers.CharField(),
        "place": serializers.CharField(help_text="Business term or group (BT-/BG-) or XML line."),
    },
    many=True,
)
EINVOICE = inline_serializer(
    "EInvoice",
    {
        "id": serializers.IntegerField(),
        "voucher": serializers.IntegerField(allow_null=True),
        "upload": serializers.IntegerField(allow_null=True),
        "container": serializers.ChoiceField(choices=["xml", "pdf"]),
        "syntax": serializers.ChoiceField(choices=["ubl", "cii"]),
        "profile": serializers.CharField(),
        "xmlSha256": serializers.CharField(),
        "xmlSize": serializers.IntegerField(),
        "valid": serializers.BooleanField(help_text="No finding of severity error."),
        "invoice": serializers.DictField(help_text="The normalised invoice: parties, dates, lines, taxes, totals."),
        "findings": FINDING,
        "createdAt": serializers.DateTimeField(),
    },
)


def representation(row: EInvoice) -> dict[str, Any]:
    upload = row.upload
    voucher = row.voucher
    return {
        "id": row.pk,
        "voucher": voucher.pk if voucher else None,
        "upload": upload.pk if upload else None,
        "container": row.container,
        "syntax": row.syntax,
        "profile": row.profile,
        "xmlSha256": row.xml_sha256,
        "xmlSize": row.xml_size,
        "valid": row.error_count == 0,
        "invoice": row.data,
        "findings": row.findings,
        "createdAt": stamp(row.created_at),
    }


class VoucherEInvoiceView(APIView):
    @extend_schema(
        summary="The e-invoice a voucher came from: normalised data and EN 16931 findings",
        responses={200: EINVOICE, **errors(404)},
        tags=["vouchers"],
    )
    def get(self, request: Request, pk: int) -> Response:
        row = (
            EInvoice.objects.filter(connection_id__in=visible_connection_ids(request))
            .filter(Q(upload__voucher_id=pk) | Q(upload__target_voucher_id=pk) | Q(file__voucher_id=pk))
            .select_related("upload", "file")
            .first()
        )
        if row is None:
            raise Http404("This voucher has no e-invoice.")
        return Response(representation(row))
