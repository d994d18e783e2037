"""2,000 deliveries with duplicates, forgeries and reordering, while the broker (a private Redis)
is restarted empty: nothing forged gets in, nothing genuine is refused, lost or processed twice."""

import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests

from connections.models import SyncRun
from connections.services import create_connection
from connections.sync import run_sync
from contacts.models import Contact
from harness.mirror import mirror_differences
from harness.processes import stop_process
from tests.fixtures.app import celery_broker, start_worker
from webhooks.models import WebhookEvent
from webhooks.tasks import sweep_inbox_task

GENUINE = 1740  # + 10% duplicates + 5% forged = 2,001 deliveries


def delivery(connection, contact_id: str, index: int) -> bytes:
    event_date = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=index)).isoformat(timespec="milliseconds")
    return json.dumps(
        {
            "organizationId": str(connection.organization_id),
            "eventType": "contact.changed",
            "resourceId": contact_id,
            "eventDate": event_date.replace("+00:00", "Z"),
        },
        separators=(",", ":"),
    ).encode()


@pytest.mark.django_db(transaction=True)
def test_a_delivery_storm_survives_a_broker_restart(
    alice, sandbox_server, live_server, private_redis, private_celery_queue, trusted_signer, settings, tmp_path
) -> None:
    settings.LEXHUB_WEBHOOK_SWEEP_AFTER_SECONDS = 0
    settings.LEXHUB_AUTO_REGISTER_WEBHOOKS = False
    org = sandbox_server.new_org(contacts=60, seed=11)
    connection = create_connection(
        name="Storm", api_key=org.api_key, owner=alice, base_url=org.base_url, rate_limit=1000
    )
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    contact_ids = [str(c) for c in Contact.objects.filter(connection=connection).values_list("lexoffice_id", flat=True)]
    rng = random.Random(2000)
    genuine = []
    for index in range(GENUINE):
        contact_id = rng.choice(contact_ids)
        if index % 10 == 0:  # some events follow a real change, so the mirror has something to catch up on
            org.mutate("contact", "change", contact_id, {"note": f"revision {index}"})
        genuine.append(delivery(connection, contact_id, index))
    forged = []
    for body in rng.sample(genuine, GENUINE // 20):
        tampered = body.replace(b"contact.changed", b"contact.deleted")
        forged.append((tampered, trusted_signer.sign(body)))
    sends = [(body, trusted_signer.sign(body), True) for body in genuine]
    duplicates = [(body, trusted_signer.sign(body), True) for body in rng.sample(genuine, GENUINE // 10)]
    sends += [(body, signature, False) for body, signature in forged]
    # 20% reordered: swap a fifth of the positions pairwise.
    positions = rng.sample(range(len(sends)), len(sends) // 5)
    for a, b in zip(positions[::2], positions[1::2], strict=False):
        sends[a], sends[b] = sends[b], sends[a]
    # Half the duplicates go right next to their original (concurrently), half at the end.
    for offset, duplicate in enumerate(duplicates):
        if offset % 2 == 0:
            sends.insert(rng.randrange(len(sends)), duplicate)
        else:
            sends.append(duplicate)
    url = f"{live_server.url}/webhooks/lexoffice/{connection.webhook_token}/"

    with celery_broker(private_redis.url):
        worker = start_worker(private_celery_queue, tmp_path / "worker.log", broker_url=private_redis.url)
        try:
            session = requests.Session()

            def send(item: tuple[bytes, str, bool]) -> tuple[bool, int]:
                body, signature, is_genuine = item
                response = session.post(
                    url,
                    data=body,
                    timeout=30,
                    headers={"Content-Type": "application/json", "X-Lxo-Signature": signature},
                )
                return is_genuine, response.status_code

            with ThreadPoolExecutor(max_workers=8) as pool:
                first_half = list(pool.map(send, sends[: len(sends) // 2]))
                private_redis.restart_empty()  # queued messages are gone; the inbox still has the events
                second_half = list(pool.map(send, sends[len(sends) // 2 :]))
            results = first_half + second_half

            deadline = time.monotonic() + 180
            while WebhookEvent.objects.filter(state=WebhookEvent.State.PENDING).exists():
                assert time.monotonic() < deadline, "events still pending after 180 s"
                sweep_inbox_task()  # what beat does every 30 s
                time.sleep(0.5)
        finally:
            stop_process(worker)

    assert len(sends) >= 2000
    assert [status for is_genuine, status in results if not is_genuine and status < 400] == []
    assert [status for is_genuine, status in results if is_genuine and status >= 300] == []
    events = WebhookEvent.objects.filter(connection=connection)
    assert events.count() == GENUINE  # every genuine delivery stored once, duplicates not again
    assert events.exclude(state=WebhookEvent.State.PROCESSED).count() == 0
    assert events.filter(attempts__gt=1).count() == 0  # none processed twice
    assert [p for p in mirror_differences(connection, org) if p.startswith("contact")] == []
