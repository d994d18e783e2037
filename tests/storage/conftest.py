"""Media on an S3-compatible server (moto's server mode, started on a free loopback port for the session)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.s3 import S3Server, s3_server
from tests.api.conftest import owner, synced  # noqa: F401  (a synced sandbox account, a token client)


@pytest.fixture(scope="session")
def s3(tmp_path_factory) -> Iterator[S3Server]:
    with s3_server(log_path=tmp_path_factory.mktemp("s3") / "moto.log") as server:
        yield server


@pytest.fixture
def media(settings, s3: S3Server, tmp_path: Path, monkeypatch) -> Path:
    """Lexhub's media on the S3 server, configured as a deployment would: by environment variables.
    Returns MEDIA_ROOT, which must stay empty."""
    from lexhub.env import media_storage

    for name, value in s3.env().items():
        monkeypatch.setenv(name, value)
    prefix = f"test-{tmp_path.name}"  # each test its own prefix in the one bucket
    monkeypatch.setenv("LEXHUB_S3_PREFIX", prefix)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": media_storage()}
    return settings.MEDIA_ROOT
