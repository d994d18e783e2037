"""Fixtures of the web page tests (logged-in clients `alice_client`/`bob_client` come from tests/fixtures/app.py)."""

import pytest

from lexhub.models import Connection, SyncRun
from lexhub.sync import run_sync


@pytest.fixture
def synced(connection: Connection) -> Connection:
    """alice's sandbox connection after a full sync, so lists and details have rows."""
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    return connection
