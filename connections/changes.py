"""The change feed: how the mirror tells the apps above it that a record of a connection changed.

`connections/mirror.py` (the one place mirrored rows are created, updated and marked deleted) calls
`record_changes` inside the transaction that writes the rows. A listener that stores rows of its own (the
outgoing webhooks' events, `outgoing/events.py`) therefore commits or rolls back together with the change:
nothing is announced that was not stored, and no stored change goes unannounced when a worker dies after
the commit. Listeners are registered in the apps' AppConfig.ready, so connections/ imports none of them
(the same pattern as connections/hooks.py).

`notify` carries what is not a record (a failed sync, a failed write, a receipt's progress) to the same
listeners' notice side.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

CREATED, CHANGED, DELETED = "created", "changed", "deleted"


@dataclass(frozen=True)
class Change:
    """Rows of one connection that were created, changed or marked deleted upstream, as now stored."""

    connection_id: int
    action: str
    rows: Sequence[models.Model]


@dataclass(frozen=True)
class Notice:
    """Something that happened to a connection that is not a record: `event_type` like `sync.failed`."""

    connection_id: int
    event_type: str
    data: dict[str, Any]


change_listeners: list[Callable[[Change], None]] = []
notice_listeners: list[Callable[[Notice], None]] = []


def on_change(listener: Callable[[Change], None]) -> None:
    if listener not in change_listeners:
        change_listeners.append(listener)


def on_notice(listener: Callable[[Notice], None]) -> None:
    if listener not in notice_listeners:
        notice_listeners.append(listener)


def record_changes(*, connection_id: int, action: str, rows: Sequence[models.Model]) -> None:
    """Tell every listener; call it inside the transaction that wrote `rows`."""
    if not rows:
        return
    change = Change(connection_id=connection_id, action=action, rows=rows)
    for listener in change_listeners:
        listener(change)


def notify(*, connection_id: int, event_type: str, data: dict[str, Any]) -> None:
    notice = Notice(connection_id=connection_id, event_type=event_type, data=data)
    for listener in notice_listeners:
        listener(notice)
