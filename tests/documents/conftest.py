"""Document tests: private media per test, an API token client for alice."""

from pathlib import Path

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def owner(alice) -> APIClient:
    from knox.models import AuthToken

    _instance, token = AuthToken.objects.create(user=alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client
