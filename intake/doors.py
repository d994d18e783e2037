"""What the mailbox and the watched folder share: which doors are due, the lease of the worker polling one,
and the state a poll leaves (working, or what went wrong, retried with exponential backoff)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from connections.leases import claim
from intake.items import lease
from intake.models import Door, DoorState

MAX_BACKOFF = timedelta(hours=1)


def due(model: type[Door]) -> list[int]:
    now = timezone.now()
    rows = model._default_manager.filter(enabled=True).filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
    return list(rows.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now)).values_list("pk", flat=True))


def take(model: type[Door], door_id: int) -> bool:
    """Lease the door for one poll; False when another worker polls it."""
    return claim(model._default_manager.filter(pk=door_id, enabled=True), field="lease_until", lease=lease())


def renew(model: type[Door], door_id: int) -> None:
    model._default_manager.filter(pk=door_id).update(lease_until=timezone.now() + lease())


def succeeded(model: type[Door], door_id: int, *, more: bool = False) -> None:
    """A complete poll: working again; next poll after the interval (at once when work was left over)."""
    now = timezone.now()
    wait = timedelta(0) if more else timedelta(seconds=settings.LEXHUB_INTAKE_POLL_SECONDS)
    model._default_manager.filter(pk=door_id).update(
        state=DoorState.OK,
        state_detail="",
        failures=0,
        last_polled_at=now,
        last_success_at=now,
        next_poll_at=now + wait,
        lease_until=None,
    )


def failed(model: type[Door], door_id: int, *, state: str, detail: str) -> None:
    """A poll that could not finish: the state shows why; the next try waits longer each time (at most 1 h)."""
    now = timezone.now()
    door = model._default_manager.get(pk=door_id)
    failures = door.failures + 1
    base = timedelta(seconds=settings.LEXHUB_INTAKE_BACKOFF_SECONDS)
    wait = min(base * 2 ** min(failures - 1, 16), MAX_BACKOFF)
    model._default_manager.filter(pk=door_id).update(
        state=state,
        state_detail=detail[:255],
        failures=failures,
        last_polled_at=now,
        next_poll_at=now + wait,
        lease_until=None,
    )


def poll_now(door: Door) -> None:
    """Ask for a poll at the next beat tick (after the settings changed, or from the page's button)."""
    type(door)._default_manager.filter(pk=door.pk).update(next_poll_at=timezone.now(), failures=0)
