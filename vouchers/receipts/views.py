"""Receipt upload pages: the inbox (many files at once, plain form or one XHR per file, each followed until its
voucher appears) and the drop zone on a bookkeeping voucher's page."""

from dataclasses import asdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from connections.models import Connection
from connections.writes import WriteError
from vouchers.models import Upload, Voucher
from vouchers.receipts.checks import MAX_RECEIVED_BYTES
from vouchers.receipts.http import (
    NO_FILE,
    answer,
    display_name,
    guarded_upload,
    outcome_for,
    outcome_of_error,
    refuse,
    stopped_at,
    too_large,
)
from vouchers.receipts.sync import attach_voucher_file, upload_receipt


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    connections = list(Connection.objects.visible_to(request.user).order_by("name"))
    uploads = (
        Upload.objects.visible_to(request.user)
        .filter(target_voucher__isnull=True)
        .select_related("voucher", "connection", "file__preview")[:50]
    )
    return render(
        request,
        "vouchers/receipts/inbox.html",
        {
            "connections": connections,
            "outcomes": [outcome_for(u) for u in uploads],
            "max_bytes": MAX_RECEIVED_BYTES,
        },
    )


def upload_connection(request: HttpRequest) -> Connection | None:
    """The chosen connection, or the only one the user has."""
    connections = Connection.objects.visible_to(request.user)
    chosen = request.POST.get("connection", "")
    if chosen.isdigit():
        return connections.filter(pk=int(chosen)).first()
    return connections.order_by("name", "pk").first() if connections.count() == 1 else None


@login_required
@require_POST
@guarded_upload
def upload(request: HttpRequest) -> HttpResponse:
    connection = upload_connection(request)
    if connection is None:
        return refuse(request, "Choose the connection to upload to.", 400)
    outcomes = []
    for received in request.FILES.getlist("files"):
        try:
            row = upload_receipt(
                connection=connection, upload=received, user=request.user, force=request.POST.get("force") == "on"
            )
        except WriteError as exc:
            outcomes.append(outcome_of_error(display_name(received.name or ""), exc))
        else:
            outcomes.append(outcome_for(row))
    if (name := stopped_at(request)) is not None:
        outcomes.append(too_large(name))
    if not outcomes:
        return refuse(request, NO_FILE, 400)
    return answer(request, outcomes, back=reverse("receipts:inbox"))


@login_required
@require_GET
@never_cache
def status(request: HttpRequest) -> JsonResponse:
    """States of the given uploads (ids=1,2,3), for the page to follow them until their voucher appears."""
    ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.strip().isdigit()][:100]
    uploads = (
        Upload.objects.visible_to(request.user)
        .filter(pk__in=ids)
        .select_related("voucher", "target_voucher", "file__preview")
    )
    return JsonResponse({"uploads": [asdict(outcome_for(u)) for u in uploads]})


@login_required
@require_POST
@guarded_upload
def voucher_file_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a file to this voucher in Lexoffice (drop zone on the voucher page, or the plain form)."""
    voucher = get_object_or_404(Voucher.objects.visible_to(request.user).select_related("connection"), pk=pk)
    back = reverse("vouchers:detail", args=[pk])
    received = request.FILES.get("file")
    if received is None:
        if (name := stopped_at(request)) is not None:
            return answer(request, [too_large(name)], back=back)
        return refuse(request, NO_FILE, 400)
    try:
        outcome = outcome_for(attach_voucher_file(voucher=voucher, upload=received, user=request.user))
    except WriteError as exc:
        outcome = outcome_of_error(display_name(received.name or ""), exc)
    return answer(request, [outcome], back=back)
