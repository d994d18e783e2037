"""The pages of outgoing webhooks: endpoints of the connections you own, their delivery log, replay."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connections.models import Connection
from outgoing import services
from outgoing.addresses import AddressRefused
from outgoing.forms import EndpointForm, ReplaySinceForm
from outgoing.models import Delivery, Endpoint

PAGE_SIZE = 50


def owned_endpoints(request: HttpRequest) -> "QuerySet[Endpoint]":
    return Endpoint.objects.filter(connection__in=Connection.objects.owned_by(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_list(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_endpoint(
                connection=data["connection"],
                user=request.user,
                url=data["url"],
                event_types=data["event_types"],
                description=data["description"],
            )
        except AddressRefused as exc:
            form.add_error("url", exc.message)
        except services.InvalidEventTypes as exc:
            form.add_error("event_types", exc.message)
        else:  # the secret is on this answer only: rendered, not redirected, never stored in clear
            return render(request, "outgoing/secret.html", {"endpoint": created.endpoint, "secret": created.secret})
    endpoints = owned_endpoints(request).select_related("connection")
    return render(
        request, "outgoing/list.html", {"endpoints": endpoints, "form": form}, status=400 if form.errors else 200
    )


@login_required
@require_GET
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(owned_endpoints(request).select_related("connection"), pk=pk)
    deliveries = Delivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-id")
    state = request.GET.get("state", "")
    if state in Delivery.State.values:
        deliveries = deliveries.filter(state=state)
    before = request.GET.get("before", "")
    if before.isdigit():
        deliveries = deliveries.filter(id__lt=int(before))
    page = list(deliveries.prefetch_related("attempt_log")[: PAGE_SIZE + 1])
    context = {
        "endpoint": endpoint,
        "deliveries": page[:PAGE_SIZE],
        "next_before": page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None,
        "states": Delivery.State.choices,
        "state": state,
        "replay_form": ReplaySinceForm(),
    }
    return render(request, "outgoing/detail.html", context)


@login_required
@require_POST
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(owned_endpoints(request), pk=pk)
    endpoint.delete()
    messages.success(request, _("The endpoint was deleted."))
    return redirect("outgoing:list")


@login_required
@require_POST
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    rotated = services.rotate_secret(endpoint=get_object_or_404(owned_endpoints(request), pk=pk))
    return render(
        request, "outgoing/secret.html", {"endpoint": rotated.endpoint, "secret": rotated.secret, "rotated": True}
    )


@login_required
@require_POST
def endpoint_enable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(owned_endpoints(request), pk=pk)
    services.set_enabled(endpoint=endpoint, enabled=request.POST.get("enabled") == "1")
    return redirect("outgoing:detail", pk=endpoint.pk)


@login_required
@require_POST
def delivery_replay(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery.objects.filter(endpoint__in=owned_endpoints(request)), pk=pk)
    services.replay_delivery(delivery=delivery)
    messages.success(request, _("The delivery will be sent again."))
    return redirect("outgoing:detail", pk=delivery.endpoint_id)


@login_required
@require_POST
def endpoint_replay(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(owned_endpoints(request), pk=pk)
    form = ReplaySinceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date and time."))
        return redirect("outgoing:detail", pk=endpoint.pk)
    count = services.replay_since(
        endpoint=endpoint, since=form.cleaned_data["since"], only_failed=form.cleaned_data["only_failed"]
    )
    message = ngettext("%(count)s delivery will be sent again.", "%(count)s deliveries will be sent again.", count)
    messages.success(request, message % {"count": count})
    return redirect("outgoing:detail", pk=endpoint.pk)
