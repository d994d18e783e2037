"""API test fixtures: token clients per persona, a synced sandbox connection, private media."""

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from connections.models import SyncRun
from connections.sync import run_sync


def token_client(user) -> APIClient:
    from knox.models import AuthToken

    _instance, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def synced(connection, media):
    """Alice's connection with the sandbox's 5 contacts, 12 vouchers and 4 invoices mirrored."""
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    return connection


@pytest.fixture
def owner(alice) -> APIClient:
    return token_client(alice)


@pytest.fixture
def other(bob) -> APIClient:
    return token_client(bob)
