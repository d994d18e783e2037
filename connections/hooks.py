"""Extension points of connections/, filled by the apps above it in their AppConfig.ready.

connections/ runs a sync, connects and deletes accounts; what the apps do at those moments (pull their
records, subscribe to webhooks, unsubscribe) they register here. So connections/ imports none of them,
as DESIGN.md's layers say (lint-imports keeps it so).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connections.mirror import MirrorQuerySet


@dataclass(frozen=True)
class SyncStep:
    """One phase of a sync run. `pull(connection=, client=, progress=, since=)` mirrors the records
    (incrementally from `since`, a day, when given) and returns the Lexoffice ids it saw; after a complete
    walk, rows of `mirrored(connection)` that were not seen are marked deleted upstream."""

    name: str
    order: int
    pull: Callable[..., set[uuid.UUID]]
    mirrored: Callable[[Any], MirrorQuerySet]


sync_steps: dict[str, SyncStep] = {}
# Called with a connection id after a connection is made (after commit) and when its owner asks again.
subscribe_webhooks: list[Callable[[int], None]] = []
# Called with the connection before it is deleted (best effort: an error is logged, the delete goes on).
before_delete: list[Callable[[Any], None]] = []


def register_sync_step(step: SyncStep) -> None:
    sync_steps[step.name] = step


def ordered_sync_steps() -> list[SyncStep]:
    return sorted(sync_steps.values(), key=lambda step: step.order)


def on_subscribe_webhooks(hook: Callable[[int], None]) -> None:
    if hook not in subscribe_webhooks:
        subscribe_webhooks.append(hook)


def on_before_delete(hook: Callable[[Any], None]) -> None:
    if hook not in before_delete:
        before_delete.append(hook)


def request_webhook_subscriptions(connection_id: int) -> None:
    for subscribe in subscribe_webhooks:
        subscribe(connection_id)
