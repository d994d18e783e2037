"""The REST API's one exception handler (every error as {code, message, fieldErrors}) and its 404."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from connections import services as service
from connections.writes import EditConflict, WriteError, WriteQueued
from lexoffice.errors import LexofficeError
from lexoffice.hosts import BaseUrlNotAllowed
from vouchers.models import File, Upload
from vouchers.receipts.checks import DuplicateUpload


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
