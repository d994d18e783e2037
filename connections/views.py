"""Pages for connections: connect, verify, replace the key, sync, API calls, the audit log."""

import contextlib
import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connections import hooks
from connections import services as service
from connections.forms import ConnectionForm, ReplaceKeyForm
from connections.models import AuditLog, Connection, SyncRun
from connections.passthrough import PassthroughResult, call_api
from connections.sync import start_sync
from connections.writes import WriteError
from lexoffice.client import PASSTHROUGH_METHODS
from web.labels import SYNC_PHASES, label
from web.listing import seek


def visible_connection(request: HttpRequest, pk: int, *, owner_only: bool = False) -> Connection:
    queryset = Connection.objects.owned_by(request.user) if owner_only else Connection.objects.visible_to(request.user)
    connection = queryset.filter(pk=pk).first()
    if connection is None:
        raise Http404("No such connection")
    return connection


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
            messages.success(
                request,
                _("Connected to %(company)s. The first sync has started.") % {"company": connection.company_name},
            )
            return redirect("home")
    return render(request, "connections/form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def connection_verify(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk, owner_only=True)
    try:
        service.reverify_connection(connection=connection)
        messages.success(request, _("Lexoffice accepts the key."))
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
            messages.success(request, _("The new key is stored."))
            return redirect("connections:list")
    return render(request, "connections/replace_key.html", {"form": form, "connection": connection})


@login_required
@require_POST
def connection_webhooks(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk, owner_only=True)
    hooks.request_webhook_subscriptions(connection.pk)
    messages.success(request, _("Webhook subscriptions are being checked and renewed."))
    return redirect("connections:list")


@login_required
@require_http_methods(["GET", "POST"])
def connection_delete(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk, owner_only=True)
    if request.method == "POST":
        name = connection.name
        service.delete_connection(connection=connection)
        messages.success(request, _("Deleted %(name)s and its local data.") % {"name": name})
        return redirect("connections:list")
    return render(request, "connections/confirm_delete.html", {"connection": connection})


@login_required
@require_POST
def sync_start(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk)
    kind = SyncRun.Kind.FULL if request.POST.get("kind") == "full" else SyncRun.Kind.INCREMENTAL
    start_sync(connection=connection, kind=kind, user=request.user)
    messages.success(request, _("Sync started (%(kind)s).") % {"kind": kind.label})
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
            "state_label": run.get_state_display(),
            "phase": run.phase,
            "phase_label": label(SYNC_PHASES, run.phase) if run.phase else "",
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
    method = forms.ChoiceField(label=_l("Method"), choices=[(m, m) for m in PASSTHROUGH_METHODS])
    path = forms.CharField(
        label=_l("Path"),
        max_length=2000,
        strip=False,
        initial="/v1/profile",
        help_text=_l("Relative, under /v1/ (e.g. /v1/contacts)."),
    )
    query = forms.CharField(
        label=_l("Query parameters"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_l("One name=value per line."),
    )
    accept = forms.ChoiceField(
        label="Accept", choices=[(c, c) for c in ("application/json", "*/*", "application/pdf", "application/xml")]
    )
    content_type = forms.ChoiceField(
        label="Content-Type", required=False, choices=[("", _l("(none)")), ("application/json", "application/json")]
    )
    body = forms.CharField(label=_l("Body"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 8}))

    def clean_query(self) -> dict[str, str]:
        query = {}
        for line in self.cleaned_data["query"].splitlines():
            if not line.strip():
                continue
            name, equals, value = line.partition("=")
            if not equals or not name.strip():
                raise forms.ValidationError(_("Write each parameter as name=value: %(line)r") % {"line": line[:60]})
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
