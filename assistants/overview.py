"""Totals and state over the mirror: open receivables and payables, and each connection's sync, webhook
and outbox state. Aggregates in the database; no Lexoffice request."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from assistants.principal import Principal
from assistants.reading import amount
from connections.models import Connection, OutboxEntry, SyncRun
from vouchers.models import Voucher
from webhooks.models import WebhookEvent

OPEN = ("open", "overdue")
RECEIVABLE_TYPES = ("invoice", "downpaymentinvoice", "salesinvoice")
PAYABLE_TYPES = ("purchaseinvoice",)
AGING_BUCKETS = ((0, 30), (31, 60), (61, 90), (91, None))  # days past the due date


def open_items(principal: Principal) -> dict[str, Any]:
    """Per connection: open receivables and payables (sum, count), overdue ones, and receivables by age."""
    today = timezone.now()
    answers = []
    for connection in Connection.objects.filter(pk__in=principal.connection_ids).order_by("name", "pk"):
        rows = Voucher.objects.filter(connection=connection, voucher_status__in=OPEN).present()
        receivable = rows.filter(voucher_type__in=RECEIVABLE_TYPES)
        payable = rows.filter(voucher_type__in=PAYABLE_TYPES)
        answers.append(
            {
                "connection": connection.name,
                "receivables": totals(receivable),
                "overdueReceivables": totals(receivable.filter(due_date__lt=today)),
                "payables": totals(payable),
                "overduePayables": totals(payable.filter(due_date__lt=today)),
                "receivablesByDaysOverdue": {
                    label(low, high): totals(overdue_between(receivable, today, low, high))
                    for low, high in AGING_BUCKETS
                },
            }
        )
    return {"connections": answers, "asOf": today.date().isoformat()}


def totals(rows: "QuerySet[Voucher]") -> dict[str, Any]:
    result = rows.aggregate(sum=Sum("open_amount"), count=Count("pk"))
    return {"open": amount(result["sum"]) or "0", "count": result["count"]}


def label(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low}+"


def overdue_between(rows: "QuerySet[Voucher]", today: datetime, low: int, high: int | None) -> "QuerySet[Voucher]":
    bounds = Q(due_date__lte=today - timedelta(days=low))
    if high is not None:
        bounds &= Q(due_date__gt=today - timedelta(days=high + 1))
    return rows.filter(bounds)


def connection_state(principal: Principal) -> dict[str, Any]:
    """Each connection: status, the last sync run, pending writes and webhook events, key expiry."""
    answers = []
    for connection in Connection.objects.filter(pk__in=principal.connection_ids).order_by("name", "pk"):
        run = SyncRun.objects.filter(connection=connection).order_by("-created_at", "-pk").first()
        events = WebhookEvent.objects.filter(connection=connection).aggregate(
            pending=Count("pk", filter=Q(state=WebhookEvent.State.PENDING)),
            last=Count("pk"),
        )
        answers.append(
            {
                "id": connection.pk,
                "connection": connection.name,
                "company": connection.company_name,
                "status": connection.status,
                "keyExpiresOn": connection.key_expires_on.isoformat() if connection.key_expires_on else None,
                "lastSync": None
                if run is None
                else {
                    "kind": run.kind,
                    "state": run.state,
                    "started": run.started_at.isoformat() if run.started_at else None,
                    "finished": run.finished_at.isoformat() if run.finished_at else None,
                    "error": run.error[:300],
                },
                "pendingWrites": OutboxEntry.objects.filter(connection=connection).pending().count(),
                "webhookEvents": {"pending": events["pending"], "received": events["last"]},
            }
        )
    return {"connections": answers}
