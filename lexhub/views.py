"""The dashboard and /healthz. Reads come from the mirror."""

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from connections.crypto import SecretUnreadable
from connections.models import Connection, OutboxEntry, SyncRun
from contacts.models import Contact
from lexhub.health import service_status
from lexoffice.hosts import BaseUrlNotAllowed
from lexoffice.ratelimit import HEADROOM, bucket_id, get_limiter
from vouchers.models import BOOKKEEPING_TYPES, SALES_TYPES, Voucher
from webhooks.models import WebhookEvent


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    services = service_status()
    healthy = all(service["ok"] for service in services.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "services": services}, status=200 if healthy else 503
    )


def connection_summary(connection: Connection) -> dict:
    vouchers = Voucher.objects.present().filter(connection=connection)
    events = WebhookEvent.objects.filter(connection=connection).aggregate(
        last=Max("received_at"), dead=Count("id", filter=Q(state=WebhookEvent.State.DEAD))
    )
    return {
        "connection": connection,
        "contacts": Contact.objects.present().filter(connection=connection).count(),
        # the same rows as the lists the tiles link to
        "vouchers": vouchers.filter(voucher_type__in=BOOKKEEPING_TYPES).count(),
        "invoices": vouchers.filter(voucher_type__in=SALES_TYPES).count(),
        "last_run": connection.sync_runs.exclude(state__in=[SyncRun.State.QUEUED, SyncRun.State.RUNNING]).first(),
        "current_run": connection.sync_runs.unfinished().first(),
        "last_event": events["last"],
        "dead_events": events["dead"],
        "pending_writes": OutboxEntry.objects.pending().filter(connection=connection).count(),
        "next_sync": next_sync(connection),
        "queued_requests": queued_requests(connection),
    }


def next_sync(connection: Connection) -> datetime | None:
    """When beat's next incremental sync is due: the interval after the last run was queued."""
    last = connection.sync_runs.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is None or not connection.is_active:
        return None
    return max(last + timedelta(seconds=settings.LEXHUB_SYNC_INTERVAL_SECONDS), timezone.now())


def queued_requests(connection: Connection) -> int:
    """Requests already waiting for this key's budget (all processes and machines): 0 when it is idle."""
    try:
        bucket = bucket_id(connection.api_key, connection.effective_base_url)
    except (SecretUnreadable, BaseUrlNotAllowed):
        return 0
    interval = 1.0 / (connection.rate_limit * HEADROOM)  # the spacing the client reserves slots with
    return max(math.ceil(get_limiter().backlog(bucket) / interval) - 1, 0)  # the first slot is being sent


@login_required
def home(request: HttpRequest) -> HttpResponse:
    summaries = [connection_summary(c) for c in Connection.objects.visible_to(request.user)]
    return render(request, "home.html", {"summaries": summaries})
