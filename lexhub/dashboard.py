"""What the dashboard shows of each of a user's connections, read for all of them at once: a fixed number of
grouped queries and one Redis round trip, whether the user has one connection or a tax office's fifty."""

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from connections.crypto import SecretUnreadable
from connections.models import Connection, OutboxEntry, SyncRun
from contacts.models import Contact
from lexoffice.hosts import BaseUrlNotAllowed
from lexoffice.ratelimit import HEADROOM, bucket_id, get_limiter
from vouchers.models import BOOKKEEPING_TYPES, SALES_TYPES, Voucher
from webhooks.models import WebhookEvent

UNFINISHED = [SyncRun.State.QUEUED, SyncRun.State.RUNNING]


def summaries_for(user: AbstractBaseUser | AnonymousUser) -> list[dict]:
    """One summary per connection `user` sees, in the connections' order (by name)."""
    connections = list(_with_run_ids(Connection.objects.visible_to(user)))
    ids = [c.pk for c in connections]
    runs = SyncRun.objects.in_bulk(
        [pk for c in connections for pk in (c.last_run_id, c.current_run_id) if pk is not None]
    )
    contacts = _grouped(Contact.objects.present().filter(connection_id__in=ids), n=Count("id"))
    # The same rows as the lists the tiles link to.
    vouchers = _grouped(
        Voucher.objects.present().filter(connection_id__in=ids, voucher_type__in=[*BOOKKEEPING_TYPES, *SALES_TYPES]),
        vouchers=Count("id", filter=Q(voucher_type__in=BOOKKEEPING_TYPES)),
        invoices=Count("id", filter=Q(voucher_type__in=SALES_TYPES)),
    )
    events = _grouped(
        WebhookEvent.objects.filter(connection_id__in=ids),
        last=Max("received_at"),
        dead=Count("id", filter=Q(state=WebhookEvent.State.DEAD)),
    )
    writes = _grouped(OutboxEntry.objects.pending().filter(connection_id__in=ids), n=Count("id"))
    queued = queued_requests(connections)
    return [
        {
            "connection": c,
            "contacts": contacts.get(c.pk, {}).get("n", 0),
            "vouchers": vouchers.get(c.pk, {}).get("vouchers", 0),
            "invoices": vouchers.get(c.pk, {}).get("invoices", 0),
            "last_run": runs.get(c.last_run_id),
            "current_run": runs.get(c.current_run_id),
            "last_event": events.get(c.pk, {}).get("last"),
            "dead_events": events.get(c.pk, {}).get("dead", 0),
            "pending_writes": writes.get(c.pk, {}).get("n", 0),
            "next_sync": next_sync(c, c.last_queued_at),
            "queued_requests": queued[index],
        }
        for index, c in enumerate(connections)
    ]


def _with_run_ids(connections: QuerySet) -> QuerySet:
    """Each connection with its latest finished run, its unfinished one and when its latest run was queued:
    one query, a probe of each connection's runs."""
    runs = SyncRun.objects.filter(connection_id=OuterRef("pk")).order_by("-created_at", "-id")
    return connections.annotate(
        last_run_id=Subquery(runs.exclude(state__in=UNFINISHED).values("pk")[:1]),
        current_run_id=Subquery(runs.filter(state__in=UNFINISHED).values("pk")[:1]),
        last_queued_at=Subquery(runs.values("created_at")[:1]),
    )


def _grouped(rows: QuerySet, **aggregates: object) -> dict[int, dict]:
    """`aggregates` of `rows` per connection id (connections without rows are missing)."""
    grouped = rows.order_by().values("connection_id").annotate(**aggregates)  # type: ignore[arg-type]
    return {row["connection_id"]: row for row in grouped}


def next_sync(connection: Connection, last_queued_at: datetime | None) -> datetime | None:
    """When beat's next incremental sync is due: the interval after the last run was queued."""
    if last_queued_at is None or not connection.is_active:
        return None
    return max(last_queued_at + timedelta(seconds=settings.LEXHUB_SYNC_INTERVAL_SECONDS), timezone.now())


def queued_requests(connections: Iterable[Connection]) -> list[int]:
    """Per connection, the requests already waiting for its key's budget (all processes and machines): 0 when
    it is idle. Every key's backlog is read in one round trip."""
    connections = list(connections)
    buckets = [_bucket_of(c) for c in connections]
    backlogs = get_limiter().backlogs([b for b in buckets if b is not None])
    found = iter(backlogs)
    waiting = []
    for connection, bucket in zip(connections, buckets, strict=True):
        if bucket is None:
            waiting.append(0)
            continue
        interval = 1.0 / (connection.rate_limit * HEADROOM)  # the spacing the client reserves slots with
        waiting.append(max(math.ceil(next(found) / interval) - 1, 0))  # the first slot is being sent
    return waiting


def _bucket_of(connection: Connection) -> str | None:
    """A connection's bucket id (its key decrypted: ~35 µs), None when the key cannot be read or its host is
    no longer allowed."""
    try:
        return bucket_id(connection.api_key, connection.effective_base_url)
    except (SecretUnreadable, BaseUrlNotAllowed):
        return None
