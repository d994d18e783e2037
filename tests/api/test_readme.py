"""The README's REST API walkthrough, run as written (bash + curl) against a live server."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from connections.models import SyncRun
from connections.sync import run_sync
from contacts.models import Contact
from tests.conftest import require
from tests.fixtures.app import worker_database_url
from tests.writes import files
from vouchers.models import Upload

README = Path(settings.BASE_DIR) / "README.md"


def walkthrough() -> str:
    text = README.read_text()
    section = text[text.index("## REST API") :]
    section = section[: section.index("\n## ", 5)]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match, "the REST API section has no sh block"
    return match.group(1)


@pytest.mark.django_db(transaction=True)
def test_the_readme_walkthrough_runs_as_written(
    sandbox_server, django_user_model, live_server, tmp_path, settings, django_capture_on_commit_callbacks
) -> None:
    import shutil

    from connections.services import create_connection

    require(shutil.which("curl") is not None, "curl is not installed")
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "admin-password-1")
    org = sandbox_server.new_org(contacts=60, vouchers=150, invoices=30, seed=1)  # what `make run` seeds
    with django_capture_on_commit_callbacks(execute=False):
        connection = create_connection(
            name="Demo (sandbox)", api_key=org.api_key, owner=admin, base_url=org.base_url, rate_limit=1000
        )
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    workdir = tmp_path / "walkthrough"
    workdir.mkdir()
    (workdir / "receipt.pdf").write_bytes(files.pdf("README receipt"))
    repo = Path(settings.BASE_DIR)
    (workdir / ".venv").symlink_to(repo / ".venv")
    (workdir / "manage.py").symlink_to(repo / "manage.py")
    script = walkthrough().replace("http://127.0.0.1:8000", live_server.url)
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "PYTHONPATH": str(repo),
        "LEXHUB_VAR_DIR": str(settings.VAR_DIR),
    }

    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=workdir, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert '"results"' in result.stdout
    created = Contact.objects.get(connection=connection, name="Nordlicht Werkstatt GmbH")
    assert org.api("GET", f"/v1/contacts/{created.lexoffice_id}").json()["company"]["name"] == created.name
    assert Upload.objects.get(connection=connection).original_name == "receipt.pdf"
    assert (workdir / "invoice.pdf").read_bytes().startswith(b"%PDF-")
