"""The webhook event log pages: every delivery with its state, filters, and replay of dead events.
The endpoint Lexoffice posts to is receiver.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from connections.mirror import parse_uuid
from contacts.models import Contact
from vouchers.models import Voucher
from webhooks.models import WebhookEvent
from webhooks.tasks import replay

PAGE_SIZE = 50


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    events = WebhookEvent.objects.visible_to(request.user).select_related("connection").order_by("-id")
    state, event_type = request.GET.get("state", ""), request.GET.get("type", "")
    if state in WebhookEvent.State.values:
        events = events.filter(state=state)
    if event_type:
        events = events.filter(event_type=event_type)
    before = request.GET.get("before", "")
    if before.isdigit():
        events = events.filter(id__lt=int(before))  # keyset paging: no OFFSET on a growing log
    page = list(events[: PAGE_SIZE + 1])
    records = records_of(page[:PAGE_SIZE])
    for event in page[:PAGE_SIZE]:
        event.record = records.get((event.connection_id, str(event.resource_id)))  # type: ignore[attr-defined]
    return render(
        request,
        "webhooks/events.html",
        {
            "events": page[:PAGE_SIZE],
            "next_before": page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None,
            "states": WebhookEvent.State.choices,
            "state": state,
            "type": event_type,
        },
    )


def records_of(events: list[WebhookEvent]) -> dict[tuple[int, str], tuple[str, str]]:
    """The mirrored records the events are about: (connection, resource id) -> (link, name). Two queries."""
    ids = {uuid for e in events if (uuid := parse_uuid(e.resource_id))}
    connections = {e.connection_id for e in events}
    found: dict[tuple[int, str], tuple[str, str]] = {}
    contacts = Contact.objects.filter(connection_id__in=connections, lexoffice_id__in=ids)
    for contact in contacts.only("pk", "connection_id", "lexoffice_id", "name"):
        link = reverse("contacts:detail", args=[contact.pk])
        found[(contact.connection_id, str(contact.lexoffice_id))] = (link, contact.name)
    vouchers = Voucher.objects.filter(connection_id__in=connections, lexoffice_id__in=ids)
    for voucher in vouchers.only("pk", "connection_id", "lexoffice_id", "voucher_type", "voucher_number"):
        link, name = reverse("vouchers:detail", args=[voucher.pk]), f"{voucher.type_label} {voucher.voucher_number}"
        found[(voucher.connection_id, str(voucher.lexoffice_id))] = (link, name)
    return found


@login_required
@require_POST
def event_replay(request: HttpRequest, pk: int) -> HttpResponse:
    event = WebhookEvent.objects.visible_to(request.user).filter(pk=pk).first()
    if event is None:
        raise Http404("No such event")
    replay(event)
    messages.success(
        request,
        _("Event %(type)s for %(resource)s queued again.") % {"type": event.event_type, "resource": event.resource_id},
    )
    return redirect("webhook-events")
