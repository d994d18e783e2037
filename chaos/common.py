"""Helpers the campaigns share: a fresh connection to a new sandbox organization, waiting, time skips."""

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import close_old_connections
from django.db.models import F
from django.utils import timezone

from chaos.cluster import Cluster
from harness.sandbox import SandboxOrg, SandboxServer


def new_connection(
    cluster: Cluster,
    *,
    seed: int,
    label: str,
    contacts: int = 0,
    vouchers: int = 0,
    invoices: int = 0,
    rate_limit: float = 1000,
    base_url: str | None = None,
):
    """A new sandbox organization and a verified connection to it (through `base_url` if given)."""
    from connections.services import create_connection

    org = SandboxServer(cluster.sandbox_url, cluster.dir / "logs" / "sandbox.log").new_org(
        contacts=contacts, vouchers=vouchers, invoices=invoices, seed=seed
    )
    connection = create_connection(
        name=f"chaos {label} seed {seed} {uuid.uuid4().hex[:6]}",
        api_key=org.api_key,
        owner=cluster.owner(),
        base_url=base_url or org.base_url,
        rate_limit=rate_limit,
    )
    connection.refresh_from_db()  # typed fields (organization_id as UUID) as every other reader sees them
    return connection, org


def full_sync_now(connection) -> None:
    """The first full sync, run in this process (the campaigns' faults start after it)."""
    from connections.models import SyncRun
    from connections.sync import run_sync

    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, every: float = 0.5) -> bool:
    """Poll `condition` until true or `timeout`; database errors while polling count as 'not yet'."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except Exception:
            close_old_connections()
        time.sleep(every)
    print(f"   timed out after {timeout:.0f}s waiting for {what}", flush=True)
    return False


def skip_time(connection_ids: list[int], seconds: float) -> None:
    """Quick mode only, and only while no worker runs: move the leases, locks and ages of the campaign's
    unfinished rows `seconds` into the past, as if the clock had run on (what a dead worker's leases need)."""
    from connections.models import OutboxEntry, SyncRun
    from webhooks.models import WebhookEvent

    shift = timedelta(seconds=seconds)
    runs = SyncRun.objects.unfinished().filter(connection_id__in=connection_ids)
    runs.filter(lease_until__isnull=False).update(lease_until=F("lease_until") - shift)
    runs.update(created_at=F("created_at") - shift)
    events = WebhookEvent.objects.pending().filter(connection_id__in=connection_ids)
    events.filter(locked_until__isnull=False).update(locked_until=F("locked_until") - shift)
    events.update(received_at=F("received_at") - shift)
    entries = OutboxEntry.objects.pending().filter(connection_id__in=connection_ids)
    entries.filter(locked_until__isnull=False).update(locked_until=F("locked_until") - shift)
    entries.update(created_at=F("created_at") - shift)


def held_now(connection_ids: list[int]) -> dict[str, set[int]]:
    """Rows some worker has claimed and not finished: after a kill, exactly what the dead worker held."""
    from connections.models import OutboxEntry, SyncRun
    from webhooks.models import WebhookEvent

    now = timezone.now()
    return {
        "events": set(
            WebhookEvent.objects.pending()
            .filter(connection_id__in=connection_ids, locked_until__gt=now)
            .values_list("pk", flat=True)
        ),
        "entries": set(
            OutboxEntry.objects.pending()
            .filter(connection_id__in=connection_ids, locked_until__gt=now)
            .values_list("pk", flat=True)
        ),
        "runs": set(
            SyncRun.objects.unfinished()
            .filter(connection_id__in=connection_ids, lease_until__gt=now)
            .values_list("pk", flat=True)
        ),
    }


def delivery(organization_id: str, event_type: str, resource_id: str, index: int) -> bytes:
    """A webhook body as Lexoffice sends it; `index` makes the event date (and so the event) unique."""
    event_date = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=index)).isoformat(timespec="milliseconds")
    return json.dumps(
        {
            "organizationId": organization_id,
            "eventType": event_type,
            "resourceId": resource_id,
            "eventDate": event_date.replace("+00:00", "Z"),
        },
        separators=(",", ":"),
    ).encode()


def mirror_problems(connection, org: SandboxOrg) -> list[str]:
    from harness.mirror import mirror_differences

    close_old_connections()
    return mirror_differences(connection, org)


def half_written(connection) -> list[str]:
    """Mirror rows a crash could have left incomplete: bookkeeping vouchers and invoices without details."""
    from invoices.models import SalesDocument
    from vouchers.models import BOOKKEEPING_TYPES, Voucher

    present = Voucher.objects.present().filter(connection=connection)
    problems = [
        f"voucher {v}: no details"
        for v in present.filter(voucher_type__in=BOOKKEEPING_TYPES, details__isnull=True).values_list(
            "lexoffice_id", flat=True
        )
    ]
    invoice_ids = set(present.filter(voucher_type="invoice").values_list("lexoffice_id", flat=True))
    stored = set(
        SalesDocument.objects.filter(connection=connection, lexoffice_id__in=invoice_ids).values_list(
            "lexoffice_id", flat=True
        )
    )
    problems += [f"invoice {i}: no document" for i in invoice_ids - stored]
    return problems
