"""Fixtures the hardening tests share (test_hardening.py, test_file_serving.py, test_csp.py)."""

import pytest

from connections.models import Connection


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def own_connection(alice) -> Connection:
    """alice's connection without a Lexoffice behind it: enough for files already stored locally."""
    connection = Connection(name="Local", owner=alice)
    connection.set_api_key("not-used")
    connection.save()
    return connection
