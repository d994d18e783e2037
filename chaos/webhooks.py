"""Campaign 1, webhooks: signed deliveries (10% duplicates, 5% forged, 20% reordered) while the broker's
Redis is killed and restarted empty twice and the worker is SIGKILLed twice.

Must hold: no forged delivery accepted, no genuine one answered non-2xx, every genuine event stored once
and processed once (a claim the killed worker held may be taken again: that is recovery, not a repeat),
and the mirror equal to the sandbox.
"""

import random
from concurrent.futures import ThreadPoolExecutor

import requests

from chaos.cluster import Beat, Cluster
from chaos.common import delivery, full_sync_now, held_now, mirror_problems, new_connection, skip_time, wait_until
from chaos.report import Outcome

FULL, QUICK = 8700, 260  # genuine events; + 10% duplicates + 5% forged = 10,005 and 299 deliveries


def plan(rng: random.Random, genuine: list[bytes], sign) -> list[tuple[bytes, str, bool]]:
    """Every delivery in sending order: (body, signature, genuine?)."""
    sends = [(body, sign(body), True) for body in genuine]
    for body in rng.sample(genuine, len(genuine) // 20):  # forged: a changed body under the original signature
        sends.append((body.replace(b"contact.changed", b"contact.deleted"), sign(body), False))
    rng.shuffle(sends[len(genuine) :])
    positions = rng.sample(range(len(sends)), len(sends) // 5)  # 20% reordered, swapped pairwise
    for a, b in zip(positions[::2], positions[1::2], strict=False):
        sends[a], sends[b] = sends[b], sends[a]
    for offset, body in enumerate(rng.sample(genuine, len(genuine) // 10)):  # duplicates: near or late
        duplicate = (body, sign(body), True)
        if offset % 2 == 0:
            sends.insert(rng.randrange(len(sends)), duplicate)
        else:
            sends.append(duplicate)
    return sends


def run(cluster: Cluster, *, seed: int, quick: bool) -> Outcome:
    from contacts.models import Contact
    from webhooks.models import WebhookEvent

    outcome = Outcome("webhooks", seed)
    rng = random.Random(seed)
    connection, org = new_connection(cluster, seed=seed, label="webhooks", contacts=30 if quick else 200)
    full_sync_now(connection)
    contact_ids = [str(c) for c in Contact.objects.filter(connection=connection).values_list("lexoffice_id", flat=True)]
    genuine = []
    for index in range(QUICK if quick else FULL):
        contact_id = rng.choice(contact_ids)
        if index % 10 == 0:  # some events follow a real change, so the mirror has something to catch up on
            org.mutate("contact", "change", contact_id, {"note": f"seed {seed} revision {index}"})
        genuine.append(delivery(str(connection.organization_id), "contact.changed", contact_id, index))
    sends = plan(rng, genuine, cluster.signer.sign)
    url = f"{cluster.web_url}/webhooks/lexoffice/{connection.webhook_token}/"
    session = requests.Session()

    def send(item: tuple[bytes, str, bool]) -> tuple[bytes, bool, int]:
        body, signature, is_genuine = item
        try:
            status = session.post(
                url, data=body, timeout=30, headers={"Content-Type": "application/json", "X-Lxo-Signature": signature}
            ).status_code
        except requests.RequestException:
            status = 0
        return body, is_genuine, status

    # Faults at fixed shares of the deliveries, in a seeded order.
    faults = [("redis", 0.25), ("worker", 0.45), ("redis", 0.65), ("worker", 0.85)]
    cut_points = sorted({int(len(sends) * share) for _, share in faults} | {len(sends)})
    interrupted: set[int] = set()
    results: list[tuple[bytes, bool, int]] = []
    worker = cluster.start_worker(concurrency=3)
    beat = Beat(interval=5, sweep_after=5) if quick else Beat(interval=30)
    beat.start()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            start = 0
            for (kind, _), cut in zip([*faults, ("end", 1.0)], cut_points, strict=True):
                results += pool.map(send, sends[start:cut])
                start = cut
                if kind == "redis":
                    cluster.redis.restart_empty()  # queued messages are gone; the inbox still has the events
                    outcome.faults.append(f"redis killed+restarted empty after {cut} deliveries")
                elif kind == "worker":
                    cluster.kill_worker(worker)
                    held = held_now([connection.pk])["events"]  # no worker runs now: what the dead one held
                    interrupted |= held
                    outcome.faults.append(f"worker SIGKILLed after {cut} deliveries ({len(held)} events in hand)")
                    if quick:
                        skip_time([connection.pk], 150)
                    worker = cluster.start_worker(concurrency=3)
        wait_until(
            lambda: not WebhookEvent.objects.pending().filter(connection=connection).exists(),
            timeout=240 if quick else 1200,
            what="the inbox to drain",
        )
    finally:
        beat.stop()
        cluster.kill_worker(worker)

    forged_accepted = [status for _, is_genuine, status in results if not is_genuine and 200 <= status < 300]
    genuine_refused = [status for _, is_genuine, status in results if is_genuine and not 200 <= status < 300]
    outcome.problem(f"{len(forged_accepted)} forged deliveries accepted", unexpected=len(forged_accepted))
    outcome.problem(f"genuine deliveries answered {sorted(set(genuine_refused))}", unexpected=len(genuine_refused))
    events = WebhookEvent.objects.filter(connection=connection)
    stored = {(e.resource_id, e.event_date): e for e in events}
    acknowledged = {body for body, is_genuine, status in results if is_genuine and 200 <= status < 300}
    missing = [body for body in acknowledged if _key(body) not in stored]
    outcome.problem(f"{len(missing)} acknowledged events not stored", lost=len(missing))
    extra = len(stored) - len(genuine)
    outcome.problem(f"{extra} more events stored than sent", duplicated=max(extra, 0))
    unfinished = [e.pk for e in stored.values() if e.state != WebhookEvent.State.PROCESSED]
    outcome.problem(f"{len(unfinished)} events never processed (e.g. {unfinished[:5]})", lost=len(unfinished))
    twice = [e.pk for e in stored.values() if e.attempts > 1 and e.pk not in interrupted]
    outcome.problem(f"{len(twice)} events claimed twice without a kill (e.g. {twice[:5]})", duplicated=len(twice))
    differences = mirror_problems(connection, org)
    outcome.problem(f"mirror differs from the sandbox: {differences[:5]}", unexpected=len(differences))
    outcome.ok = sum(1 for e in stored.values() if e.state == WebhookEvent.State.PROCESSED)
    outcome.notes.append(
        f"{len(sends)} deliveries ({len(genuine)} genuine); {len(interrupted)} events re-claimed "
        f"after a kill; beat rounds {beat.rounds}"
    )
    return outcome


def _key(body: bytes) -> tuple[str, str]:
    import json

    data = json.loads(body)
    return data["resourceId"], data["eventDate"]
