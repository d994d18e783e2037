"""Writes made while Lexoffice is unreachable are kept and pushed exactly once when it is back."""

import time

import pytest
import requests

from connections.models import OutboxEntry
from connections.services import create_connection
from connections.writes import WriteQueued, process_entry
from contacts.models import Contact
from harness.processes import free_port, manage_py_server
from lexoffice import transport

pytestmark = pytest.mark.django_db(transaction=True)

API_KEY = "outbox-test-key"


def sandbox_args(port: int, data_dir) -> list[str]:
    return [
        "sandbox",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--api-key",
        API_KEY,
        "--contacts",
        "2",
        "--vouchers",
        "0",
        "--invoices",
        "0",
        "--seed",
        "5",
        "--rate-limit",
        "0",
        "--data-dir",
        str(data_dir),
    ]


def test_a_write_made_while_lexoffice_is_down_is_pushed_once_it_is_back(
    alice, tmp_path, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    data_dir = tmp_path / "sandbox"
    with (
        manage_py_server(
            sandbox_args(port, data_dir), ready_url=f"{base_url}/_sandbox/health", log_path=tmp_path / "sandbox-1.log"
        ),
        django_capture_on_commit_callbacks(execute=False),
    ):
        connection = create_connection(name="Flaky", api_key=API_KEY, owner=alice, base_url=base_url, rate_limit=1000)

    from contacts.sync import push_contact  # the sandbox is stopped now

    backoff: list[float] = []
    real_sleep = time.sleep
    monkeypatch.setattr(transport.time, "sleep", lambda seconds: (backoff.append(seconds), real_sleep(seconds)))
    with pytest.raises(WriteQueued) as queued:
        push_contact(
            connection=connection,
            user=alice,
            data={"roles": {"vendor": {}}, "company": {"name": "Written While Offline KG"}},
        )
    entry = OutboxEntry.objects.get(pk=queued.value.entry.pk)
    assert entry.state == OutboxEntry.State.PENDING
    assert 0 < sum(backoff) <= transport.LANE_PATIENCE["interactive"]  # the person waited seconds, not a minute
    monkeypatch.undo()

    with manage_py_server(
        sandbox_args(port, data_dir), ready_url=f"{base_url}/_sandbox/health", log_path=tmp_path / "sandbox-2.log"
    ):
        lexoffice_id = process_entry(entry.pk)
        assert process_entry(entry.pk) is None  # already sent: a second run does nothing
        upstream = requests.get(
            f"{base_url}/v1/contacts",
            params={"name": "Written While Offline"},
            headers={"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"},
            timeout=5,
        ).json()["content"]
        log = requests.get(f"{base_url}/_sandbox/requests", timeout=5).json()["requests"]

    assert [c["id"] for c in upstream] == [lexoffice_id]
    assert sum(1 for r in log if r["method"] == "POST" and r["path"].rstrip("/") == "/v1/contacts") == 1
    assert Contact.objects.filter(connection=connection, lexoffice_id=lexoffice_id).exists()
    assert OutboxEntry.objects.get(pk=entry.pk).state == OutboxEntry.State.SENT
