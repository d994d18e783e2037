"""REST API for receipt uploads (/api/v1/uploads/), and the multipart plumbing the voucher file endpoint shares."""

from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from connections.access import visible_connection_ids
from connections.models import Connection
from connections.writes import WriteError
from vouchers.models import Upload
from vouchers.receipts.checks import MAX_RECEIVED_BYTES, install_size_limit
from vouchers.receipts.sync import upload_receipt
from web.api import errors, stamp
from web.pagination import KeysetPagination

TOO_LARGE = f"The file is larger than 20 MB ({MAX_RECEIVED_BYTES} bytes), the most Lexhub accepts."


class SizeLimitedUploadMixin:
    """Installs the streaming 5 MiB limit before anything (CSRF checks included) reads the body."""

    def initialize_request(self, request: HttpRequest, *args: object, **kwargs: object) -> Request:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            install_size_limit(request)
        return super().initialize_request(request, *args, **kwargs)


def uploaded_file(request: Request) -> UploadedFile:
    """The `file` part of a multipart request, refused with a clear message when too big or missing."""
    files = request.FILES
    if getattr(request._request, "upload_too_large", False):
        raise WriteError(TOO_LARGE, {"file": [TOO_LARGE]}, status=413)
    upload = files.get("file")
    if upload is None:
        raise WriteError("Choose a file to upload (form field `file`).", {"file": ["This field is required."]})
    return upload


class UploadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    connection = serializers.IntegerField()
    state = serializers.ChoiceField(
        choices=Upload.State.choices,
        help_text="pending: waiting for Lexoffice; uploaded: waiting for its voucher; linked: voucher created; failed.",
    )
    originalName = serializers.CharField()
    contentType = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField(help_text="Of the file sent to Lexoffice.")
    originalContentType = serializers.CharField(help_text="Of the file received, e.g. image/heif.")
    originalSha256 = serializers.CharField(help_text="Of the file received; differs from sha256 when converted.")
    originalSize = serializers.IntegerField(allow_null=True)
    changes = serializers.ListField(
        child=serializers.ChoiceField(choices=["converted", "rotated", "trimmed", "reduced"]),
        help_text="What was done to send it: converted (HEIC to JPEG), rotated (EXIF orientation applied), "
        "trimmed (data after the image's end removed), reduced (re-encoded smaller to fit 5 MiB).",
    )
    error = serializers.CharField()
    file = serializers.IntegerField(allow_null=True, help_text="Our id of the stored file.")
    voucher = serializers.IntegerField(allow_null=True, help_text="Our id of the voucher it belongs to.")
    targetVoucher = serializers.IntegerField(allow_null=True, help_text="Set for a file added to a voucher.")
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()

    def to_representation(self, upload: Upload) -> dict:
        return {
            "id": upload.pk,
            "connection": upload.connection_id,
            "state": upload.state,
            "originalName": upload.original_name,
            "contentType": upload.content_type,
            "size": upload.size,
            "sha256": upload.sha256,
            "originalContentType": upload.original_content_type or upload.content_type,
            "originalSha256": upload.original_sha256 or upload.sha256,
            "originalSize": upload.original_size,
            "changes": [change for change in upload.changes.split(",") if change],
            "error": upload.error,
            "file": upload.file_id,
            "voucher": upload.voucher_id,
            "targetVoucher": upload.target_voucher_id,
            "createdAt": stamp(upload.created_at),
            "updatedAt": stamp(upload.updated_at),
        }

    @classmethod
    def respond(cls, upload: Upload) -> Response:
        """201 once Lexoffice has the file, 202 while it waits in the queue; a refusal is an error."""
        if upload.state == Upload.State.FAILED:
            message = upload.error or "Lexoffice refused the file."
            raise WriteError(message, {"file": [message]}, status=400)
        code = status.HTTP_202_ACCEPTED if upload.state == Upload.State.PENDING else status.HTTP_201_CREATED
        return Response(cls(upload).data, status=code)


class UploadCreateSerializer(serializers.Serializer):
    connection = serializers.PrimaryKeyRelatedField(queryset=Connection.objects.none())
    file = serializers.FileField(
        help_text="PDF, PNG, JPEG or HEIC, or an e-invoice XML (XRechnung UBL or CII), checked by content. Images are "
        "converted to fit Lexoffice (JPEG, at most 5 MiB, rotated upright, trailing data removed); PDFs and XML must "
        "be at most 5 MiB. At most 20 MiB received."
    )
    force = serializers.BooleanField(default=False, help_text="Upload even when the same file was uploaded before.")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["connection"].queryset = Connection.objects.filter(pk__in=visible_connection_ids(request))


DUPLICATE = OpenApiResponse(
    inline_serializer(
        "Duplicate",
        {
            "code": serializers.CharField(),
            "message": serializers.CharField(),
            "fieldErrors": serializers.DictField(),
            "existing": inline_serializer(
                "DuplicateOf",
                {
                    "upload": serializers.IntegerField(allow_null=True),
                    "file": serializers.IntegerField(allow_null=True),
                    "voucher": serializers.DictField(allow_null=True),
                },
            ),
        },
    ),
    description="The same file was uploaded before; `existing` names its voucher. "
    "Send `force=true` to upload it anyway.",
    examples=[
        OpenApiExample(
            "Duplicate",
            status_codes=["409"],
            value={
                "code": "duplicate",
                "message": "This file was uploaded before (voucher RE-2026-0042).",
                "fieldErrors": {"file": ["This file was uploaded before (voucher RE-2026-0042)."]},
                "existing": {
                    "upload": 3,
                    "file": 9,
                    "voucher": {"id": 12, "voucherNumber": "RE-2026-0042", "voucherType": "purchaseinvoice"},
                },
            },
        )
    ],
)


@extend_schema_view(
    list=extend_schema(summary="List receipt uploads", responses={200: UploadSerializer(many=True), **errors(400)}),
    retrieve=extend_schema(summary="One upload and its state", responses={200: UploadSerializer, **errors(404)}),
    create=extend_schema(
        summary="Upload a receipt for bookkeeping (Lexoffice creates a voucher for it)",
        request={"multipart/form-data": UploadCreateSerializer},
        responses={
            201: UploadSerializer,
            202: OpenApiResponse(UploadSerializer, description="Stored; sent to Lexoffice as soon as it can take it."),
            409: DUPLICATE,
            **errors(400, 413, 415),
        },
    ),
)
class UploadViewSet(SizeLimitedUploadMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Receipts uploaded through Lexhub, tracked until Lexoffice has created their voucher."""

    serializer_class = UploadSerializer
    pagination_class = KeysetPagination
    ordering_fields = {"id": "id"}
    default_ordering = "-id"
    parser_classes = [MultiPartParser]

    def get_queryset(self) -> QuerySet:
        return Upload.objects.filter(connection_id__in=visible_connection_ids(self.request))

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        upload = uploaded_file(request)
        form = UploadCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        row = upload_receipt(
            connection=form.validated_data["connection"],
            upload=upload,
            user=request.user,
            force=form.validated_data["force"],
        )
        return UploadSerializer.respond(row)
