"""Pages for connections and the dashboard; /healthz. Reads come from the mirror, writes via services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.models import Contact
from lexhub import connections as service
from lexhub.forms import ConnectionForm, ReplaceKeyForm
from lexhub.health import service_status
from lexhub.models import Connection, OutboxEntry, SyncRun
from lexhub.sync import start_sync
from vouchers.models import Voucher
from webhooks.models import WebhookEvent


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    services = service_status()
    healthy = all(service["ok"] for service in services.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "services": services},
                        status=200 if healthy else 503)


def visible_connection(request: HttpRequest, pk: int, *, owner_only: bool = False) -> Connection:
    queryset = Connection.objects.owned_by(request.user) if owner_only else Connection.objects.visible_to(
        request.user)
    connection = queryset.filter(pk=pk).first()
    if connection is None:
        raise Http404("No such connection")
    return connection


def connection_summary(connection: Connection) -> dict:
    vouchers = Voucher.objects.present().filter(connection=connection)
    events = WebhookEvent.objects.filter(connection=connection).aggregate(
        last=Max("received_at"), dead=Count("id", filter=Q(state=WebhookEvent.State.DEAD)))
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
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    summaries = [connection_summary(c) for c in Connection.objects.visible_to(request.user)]
    return render(request, "home.html", {"summaries": summaries})


@login_required
def connection_list(request: HttpRequest) -> HttpResponse:
    return render(request, "connections/list.html",
                  {"connections": Connection.objects.visible_to(request.user).select_related("owner")})


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
    return render(request, "connections/form.html", {"form": form})


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
    return JsonResponse({"id": run.pk, "kind": run.kind, "state": run.state, "phase": run.phase, "done": run.done,
                         "total": run.total, "percent": run.percent, "requests": run.requests,
                         "errors": run.errors, "finished": run.is_finished})
