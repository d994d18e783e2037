"""A lost or changed FIELD_ENCRYPTION_KEY stops start-up with a clear error instead of failing every sync."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from harness.processes import ROOT
from tests.fixtures.app import worker_database_url


@pytest.mark.django_db
def test_the_system_check_names_keys_it_cannot_decrypt(connection, settings) -> None:
    call_command("check")  # readable with the configured key: no error

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(SystemCheckError, match=r"lexhub\.E001.*1 of 1 stored Lexoffice API keys"):
        call_command("check")


@pytest.mark.django_db
def test_rotation_with_the_old_key_still_listed_passes_the_check(connection, settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]

    call_command("check")


def test_a_worker_with_the_wrong_key_refuses_to_start(transactional_db, connection) -> None:
    celery = str(Path(sys.executable).parent / "celery")
    env = {"DATABASE_URL": worker_database_url(), "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode()}
    result = subprocess.run(
        [
            celery,
            "-A",
            "lexhub",
            "worker",
            "--pool",
            "solo",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 78
    assert "1 of 1 stored Lexoffice API keys cannot be decrypted" in result.stderr
    assert connection.api_key not in result.stdout + result.stderr
