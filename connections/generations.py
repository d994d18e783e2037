"""A token per connection that every write to its mirror replaces, so anything computed from the mirror
(a list's totals) can be cached under it: a changed mirror has a new token, and the old entry is never read.

The token changes when the writing transaction commits, so a reader never caches a total of the rows
before a write under the token after it."""

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction


def _key(connection_id: int) -> str:
    return f"lexhub:mirror-generation:{connection_id}"


def bump(connection_id: int) -> None:
    transaction.on_commit(lambda: cache.set(_key(connection_id), uuid.uuid4().hex, None))


def current(connection_ids: Iterable[int]) -> str:
    """The connections' tokens joined; a connection without one (cache cleared) gets a new one."""
    ids = sorted(set(connection_ids))
    found = cache.get_many([_key(pk) for pk in ids])
    tokens = []
    for pk in ids:
        token = found.get(_key(pk))
        if token is None:
            cache.add(_key(pk), uuid.uuid4().hex, None)
            token = cache.get(_key(pk))
        tokens.append(f"{pk}={token}")
    return ",".join(tokens)
