"""Pages for connections and the dashboard; /healthz. Reads come from the mirror, writes via services."""

import contextlib
import json
import math
from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.models import Contact
from lexhub import connections as service
from lexhub.crypto import SecretUnreadable
from lexhub.forms import ConnectionForm, ReplaceKeyForm
from lexhub.health import service_status
from lexhub.listing import seek
from lexhub.models import AuditLog, Connection, OutboxEntry, SyncRun
from lexhub.passthrough import PassthroughResult, call_api
from lexhub.sync import start_sync
from lexhub.writes import WriteError
from lexoffice.client import PASSTHROUGH_METHODS
from lexoffice.hosts import BaseUrlNotAllowed
from lexoffice.ratelimit import HEADROOM, bucket_id, get_limiter
from vouchers.models import Voucher
from webhooks.models import WebhookEvent


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    services = service_status()
    healthy = all(service["ok"] for service in services.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "services": services}, status=200 if healthy else 503
    )


def visible_connection(request: HttpRequest, pk: int, *, owner_only: bool = False) -> Connection:
    queryset = Connection.objects.owned_by(request.user) if owner_only else Connection.objects.visible_to(request.user)
    connection = queryset.filter(pk=pk).first()
    if connection is None:
        raise Http404("No such connection")
    return connection


def connection_summary(connection: Connection) -> dict:
    vouchers = Voucher.objects.present().filter(connection=connection)
    events = WebhookEvent.objects.filter(connection=connection).aggregate(
        last=Max("received_at"), dead=Count("id", filter=Q(state=WebhookEvent.State.DEAD))
    )
    return {
        "connection": connection,
        "contacts": Contact.objects.present().filter(connection=connection).count(),
        "vouchers": vouchers.exclude(voucher_type="invoice").count(),
        "invoices": vouchers.filter(voucher_type="invoice").count(),
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


@login_required
def connection_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "connections/list.html",
        {"connections": Connection.objects.visible_to(request.user).select_related("owner")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def connection_create(request: HttpRequest) -> HttpResponse:
    form = ConnectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            connection = service.create_connection(owner=request.user, **form.cleaned_data)
        except service.ConnectionRejected as exc:
            about_name = str(exc).startswith(("Enter a name", "You already have"))
            form.add_error("name" if about_name else "api_key", str(exc))
        else:
            start_sync(connection=connection, kind=SyncRun.Kind.FULL, user=request.user)
            messages.success(request, f"Connected to {connection.company_name}. The first sync has started.")
            return redirect("home")
    return render(request, "connections/form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def connection_verify(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk, owner_only=True)
    try:
        service.reverify_connection(connection=connection)
        messages.success(request, "Lexoffice accepts the key.")
    except service.ConnectionRejected as exc:
        messages.error(request, str(exc))
    return redirect("connections:list")


@login_required
@require_http_methods(["GET", "POST"])
def connection_replace_key(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk, owner_only=True)
    form = ReplaceKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.replace_api_key(connection=connection, api_key=form.cleaned_data["api_key"])
        except service.ConnectionRejected as exc:
            form.add_error("api_key", str(exc))
        else:
            messages.success(request, "The new key is stored.")
            return redirect("connections:list")
    return render(request, "connections/replace_key.html", {"form": form, "connection": connection})


@login_required
@require_POST
def connection_webhooks(request: HttpRequest, pk: int) -> HttpResponse:
    from webhooks.tasks import register_webhooks_task

    connection = visible_connection(request, pk, owner_only=True)
    register_webhooks_task.delay(connection.pk)
    messages.success(request, "Webhook subscriptions are being checked and renewed.")
    return redirect("connections:list")


@login_required
@require_http_methods(["GET", "POST"])
def connection_delete(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk, owner_only=True)
    if request.method == "POST":
        name = connection.name
        service.delete_connection(connection=connection)
        messages.success(request, f"Deleted {name} and its local data.")
        return redirect("connections:list")
    return render(request, "connections/confirm_delete.html", {"connection": connection})


@login_required
@require_POST
def sync_start(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk)
    kind = SyncRun.Kind.FULL if request.POST.get("kind") == "full" else SyncRun.Kind.INCREMENTAL
    start_sync(connection=connection, kind=kind, user=request.user)
    messages.success(request, f"{kind.label} sync started.")
    return redirect("home")


@login_required
@require_GET
@never_cache
def sync_status(request: HttpRequest, pk: int) -> JsonResponse:
    run = SyncRun.objects.filter(connection__in=Connection.objects.visible_to(request.user), pk=pk).first()
    if run is None:
        raise Http404("No such sync run")
    return JsonResponse(
        {
            "id": run.pk,
            "kind": run.kind,
            "state": run.state,
            "phase": run.phase,
            "done": run.done,
            "total": run.total,
            "percent": run.percent,
            "requests": run.requests,
            "errors": run.errors,
            "finished": run.is_finished,
        }
    )


# --- audit log and "make an API call" (owners) ----------------------------------------------

AUDIT_FILTERS = ("connection", "action", "result")

AUDIT_ACTIONS = ("create_contact", "update_contact", "create_voucher", "update_voucher", "upload_file", "api_call")
AUDIT_RESULTS = ("sent", "found", "queued", "rejected", "unknown", "ok", "error", "refused", "failed")


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every write sent to Lexoffice and every API call, newest first (same scope as the REST API)."""
    connections = Connection.objects.visible_to(request.user).order_by("name")
    entries = AuditLog.objects.filter(Q(connection__in=connections) | Q(connection__isnull=True, user=request.user))
    params = {name: request.GET.get(name, "").strip() for name in AUDIT_FILTERS}
    if params["connection"].isdigit():
        entries = entries.filter(connection_id=int(params["connection"]))
    if params["action"]:
        entries = entries.filter(action=params["action"])
    if params["result"]:
        entries = entries.filter(result=params["result"])
    page = seek(
        entries.select_related("user", "connection"),
        field="created_at",
        descending=True,
        cursor=request.GET.get("after"),
    )
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "params": params,
            "connections": connections,
            "actions": AUDIT_ACTIONS,
            "results": AUDIT_RESULTS,
        },
    )


class ApiCallForm(forms.Form):
    method = forms.ChoiceField(label="Method", choices=[(m, m) for m in PASSTHROUGH_METHODS])
    path = forms.CharField(
        label="Path",
        max_length=2000,
        strip=False,
        initial="/v1/profile",
        help_text="Relative, under /v1/ (e.g. /v1/contacts).",
    )
    query = forms.CharField(
        label="Query parameters",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One name=value per line.",
    )
    accept = forms.ChoiceField(
        label="Accept", choices=[(c, c) for c in ("application/json", "*/*", "application/pdf", "application/xml")]
    )
    content_type = forms.ChoiceField(
        label="Content-Type", required=False, choices=[("", "(none)"), ("application/json", "application/json")]
    )
    body = forms.CharField(label="Body", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 8}))

    def clean_query(self) -> dict[str, str]:
        query = {}
        for line in self.cleaned_data["query"].splitlines():
            if not line.strip():
                continue
            name, equals, value = line.partition("=")
            if not equals or not name.strip():
                raise forms.ValidationError(f"Write each parameter as name=value: {line[:60]!r}")
            query[name.strip()] = value.strip()
        return query


@login_required
@require_http_methods(["GET", "POST"])
def api_call(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk, owner_only=True)
    form = ApiCallForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        headers = {"Accept": data["accept"]} | ({"Content-Type": data["content_type"]} if data["content_type"] else {})
        try:
            result = call_api(
                connection=connection,
                user=request.user,
                method=data["method"],
                path=data["path"],
                query=data["query"] or None,
                headers=headers,
                body=data["body"] or None,
            )
        except WriteError as exc:
            form.add_error("path" if "path" in exc.field_errors else None, exc.message)
            status = exc.status
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "connections/api_call.html",
        {
            "connection": connection,
            "form": form,
            "result": result,
            "shown": _shown_body(result) if result else "",
        },
        status=status,
    )


def _shown_body(result: PassthroughResult) -> str:
    try:
        text = result.body.decode("utf-8")
    except UnicodeDecodeError:
        return f"({len(result.body)} bytes of {result.content_type or 'binary data'})"
    if "json" in result.content_type:
        with contextlib.suppress(ValueError):
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)[:200_000]
    return text[:200_000]
