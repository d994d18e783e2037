"""Campaign 3, database: PostgreSQL is stopped like a crash (`pg_ctl -m immediate`) in the middle of a sync
and started again after an outage.

Must hold: during the outage every page, API call and webhook delivery answers 503 with a message (never
a traceback, never a dropped connection); afterwards the same worker process (not restarted) finishes
the sync, the mirror equals the sandbox, and no mirror row is half-written.
"""

import random
import time

import requests
from django.db import close_old_connections

from chaos.cluster import Beat, Cluster
from chaos.common import delivery, half_written, mirror_problems, new_connection, wait_until
from chaos.report import Outcome

PAGES = [
    "/",
    "/contacts/",
    "/vouchers/",
    "/invoices/",
    "/connections/",
    "/api/v1/connections/",
    "/api/v1/sync-runs/",
    "/healthz",
]


def probe(cluster: Cluster, cookies: dict, webhook: tuple[str, bytes, str]) -> dict[str, tuple[int, str]]:
    """Every page and a signed delivery once: path -> (status, first part of the body); 0 = no answer."""
    answers = {}
    for path in PAGES:
        try:
            response = requests.get(cluster.web_url + path, cookies=cookies, timeout=20, allow_redirects=False)
            answers[path] = (response.status_code, response.text[:2000])
        except requests.RequestException as exc:
            answers[path] = (0, type(exc).__name__)
    url, body, signature = webhook
    try:
        response = requests.post(
            url, data=body, timeout=20, headers={"Content-Type": "application/json", "X-Lxo-Signature": signature}
        )
        answers["webhook"] = (response.status_code, response.text[:2000])
    except requests.RequestException as exc:
        answers["webhook"] = (0, type(exc).__name__)
    return answers


def skip_stale_lease(run_id: int) -> None:
    """Quick mode: a lease nobody renewed for 3 s belongs to a task the outage ended (a live task renews it
    twice a second), so let its 90 s run out now instead of waiting for the clock."""
    from datetime import timedelta

    from django.db.models import F

    from connections.models import SyncRun

    before = SyncRun.objects.filter(pk=run_id).values_list("lease_until", "state").first()
    time.sleep(3)
    after = SyncRun.objects.filter(pk=run_id).values_list("lease_until", "state").first()
    if before == after and after[0] is not None and after[1] == SyncRun.State.RUNNING:
        SyncRun.objects.filter(pk=run_id, lease_until=after[0]).update(
            lease_until=F("lease_until") - timedelta(seconds=150)
        )


def run(cluster: Cluster, *, seed: int, quick: bool) -> Outcome:
    from connections.models import SyncRun
    from connections.sync import start_sync
    from webhooks.models import WebhookEvent

    outcome = Outcome("database", seed)
    rng = random.Random(seed)
    size = dict(contacts=20, vouchers=40, invoices=10) if quick else dict(contacts=60, vouchers=200, invoices=50)
    connection, org = new_connection(cluster, seed=seed, label="database", rate_limit=15 if quick else 20, **size)
    cookies = cluster.session_cookie()
    contact_id = org.api("GET", "/v1/contacts", params={"size": 1}).json()["content"][0]["id"]
    body = delivery(str(connection.organization_id), "contact.changed", contact_id, 10_000 + seed)
    webhook = (f"{cluster.web_url}/webhooks/lexoffice/{connection.webhook_token}/", body, cluster.signer.sign(body))
    worker = cluster.start_worker(concurrency=2)
    beat = Beat(interval=5) if quick else Beat(interval=60)
    beat.start()
    outage = 4 if quick else 20
    try:
        run = start_sync(connection=connection, kind=SyncRun.Kind.FULL)
        threshold = rng.randint(5, 15)
        wait_until(
            lambda: SyncRun.objects.get(pk=run.pk).done >= threshold, timeout=120, what="the sync to start", every=0.05
        )
        cluster.postgres.stop("immediate")
        outcome.faults.append(f"postgres crashed (immediate stop) after {threshold}+ records, down {outage}s")
        answers: list[dict] = []
        ends = time.monotonic() + outage
        while time.monotonic() < ends:
            answers.append(probe(cluster, cookies, webhook))
        cluster.postgres.start()
        close_old_connections()
        wrong: dict[tuple[str, int], list[str]] = {}
        for round_ in answers:
            for path, (status, text) in round_.items():
                good = status == 503 and "Traceback" not in text and len(text.strip()) > 0
                outcome.ok += good
                if not good:
                    wrong.setdefault((path, status), []).append(text)
        for (path, status), texts in wrong.items():
            outcome.problem(
                f"{path} answered {status} {len(texts)}x during the outage: {texts[0][:160]!r}", unexpected=len(texts)
            )
        back = wait_until(
            lambda: all(status in (200, 202) for status, _ in probe(cluster, cookies, webhook).values()),
            timeout=60,
            what="pages to answer",
        )
        outcome.problem("pages did not come back after the outage", unexpected=not back)
        if quick:
            skip_stale_lease(run.pk)
        wait_until(
            lambda: SyncRun.objects.get(pk=run.pk).is_finished,
            timeout=120 if quick else 300,
            what="the sync to finish",
            every=1,
        )
    finally:
        beat.stop()
    alive = worker.poll() is None
    cluster.kill_worker(worker)
    state = SyncRun.objects.get(pk=run.pk).state
    outcome.problem(f"the sync ended {state}", lost=state != SyncRun.State.SUCCEEDED)
    outcome.problem("the worker process did not survive the outage", unexpected=not alive)
    stored = WebhookEvent.objects.filter(connection=connection).count()
    outcome.problem(
        f"the delivery refused during the outage was stored {stored} times once resent",
        lost=stored == 0,
        duplicated=max(stored - 1, 0),
    )
    differences = mirror_problems(connection, org)
    outcome.problem(f"mirror differs from the sandbox: {differences[:5]}", unexpected=len(differences))
    partial = half_written(connection)
    outcome.problem(f"half-written rows: {partial[:5]}", unexpected=len(partial))
    outcome.notes.append(f"{len(answers)} probe rounds during the outage; worker survived: {alive}")
    return outcome
