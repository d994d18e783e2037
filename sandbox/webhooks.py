"""Event subscriptions (§17) and signed deliveries with Lexoffice's retry schedule."""

import base64
import heapq
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sandbox.clock import now_text
from sandbox.errors import regular
from sandbox.store import Organization

log = logging.getLogger("sandbox.webhooks")

# Lexoffice retries after 10, 20, 40, 80, 160 s, then after a 30-minute pause 20 times every 2 hours.
SCHEDULE = [10, 20, 40, 80, 160, 1800] + [7200] * 19
RETRIED = {401, 403, 404, 429}
TIMEOUT = 5.0  # Lexoffice's read timeout for receivers; per organization `webhook_timeout` overrides it
EVENT_TYPES = {
    f"{resource}.{action}"
    for resource in ("article", "contact", "dunning", "recurring-template")
    for action in ("created", "changed", "deleted")
}
EVENT_TYPES |= {
    f"{resource}.{action}"
    for resource in (
        "credit-note",
        "delivery-note",
        "down-payment-invoice",
        "invoice",
        "order-confirmation",
        "quotation",
        "voucher",
    )
    for action in ("created", "changed", "deleted", "status.changed")
}
EVENT_TYPES |= {"payment.changed", "token.revoked"}


class Signer:
    """The sandbox's RSA key pair (4096 bits, made once, kept in the data dir)."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        private_path = data_dir / "private_key.pem"
        if private_path.exists():
            self.key = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
        else:
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=4096)
            private_path.touch(mode=0o600)
            private_path.write_bytes(
                self.key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
        self.public_pem = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        (data_dir / "public_key.pem").write_bytes(self.public_pem)

    def sign(self, body: bytes) -> str:
        return base64.b64encode(self.key.sign(body, padding.PKCS1v15(), hashes.SHA512())).decode()


@dataclass(order=True)
class Delivery:
    due: float
    id: str = field(compare=False)
    org: Organization = field(compare=False, repr=False)
    subscription_id: str = field(compare=False)
    url: str = field(compare=False)
    body: bytes = field(compare=False)
    attempt: int = field(default=0, compare=False)
    log: dict = field(default_factory=dict, compare=False)


class Dispatcher:
    """Background delivery: a due-time heap served by a few threads; API answers never wait for it."""

    def __init__(self, signer: Signer, *, time_scale: float = 1.0, threads: int = 4) -> None:
        self.signer = signer
        self.time_scale = time_scale
        self._heap: list[Delivery] = []
        self._cv = threading.Condition()
        self.history: list[dict] = []
        self._session = requests.Session()
        for index in range(threads):
            threading.Thread(target=self._run, name=f"webhook-{index}", daemon=True).start()

    def emit(self, org: Organization, event_type: str, resource_id: str) -> None:
        body = json.dumps(
            {"organizationId": org.id, "eventType": event_type, "resourceId": resource_id, "eventDate": now_text()},
            separators=(",", ":"),
        ).encode()
        for subscription in list(org.subscriptions.values()):
            if subscription["eventType"] == event_type:
                entry = {
                    "event": event_type,
                    "resourceId": resource_id,
                    "url": subscription["callbackUrl"],
                    "apiKey": org.api_key,
                    "status": None,
                    "error": None,
                    "attempts": 0,
                    "state": "pending",
                }
                self.history.append(entry)
                self._push(
                    Delivery(
                        time.monotonic(),
                        str(uuid.uuid4()),
                        org,
                        subscription["subscriptionId"],
                        subscription["callbackUrl"],
                        body,
                        0,
                        entry,
                    )
                )

    def _push(self, delivery: Delivery) -> None:
        with self._cv:
            heapq.heappush(self._heap, delivery)
            self._cv.notify()

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._heap or self._heap[0].due > time.monotonic():
                    timeout = self._heap[0].due - time.monotonic() if self._heap else None
                    self._cv.wait(timeout)
                delivery = heapq.heappop(self._heap)
            self._deliver(delivery)

    def _deliver(self, delivery: Delivery) -> None:
        status, error = self._post(delivery)
        delivery.log.update(status=status, attempts=delivery.attempt + 1, error=error)
        if status is not None and 200 <= status < 300:
            delivery.log["state"] = "delivered"
            return
        if status == 410:
            delivery.org.subscriptions.pop(delivery.subscription_id, None)
            delivery.log["state"] = "gone"
            return
        retry = status is None or status in RETRIED or status >= 500
        if not retry or delivery.attempt >= len(SCHEDULE):
            delivery.log["state"] = "failed"
            # exhausted 404s and unreachable hosts lose the subscription; a slow receiver does not
            if (status == 404 or (status is None and error != "timeout")) and retry:
                delivery.org.subscriptions.pop(delivery.subscription_id, None)
            return
        scale = self.time_scale if delivery.org.retry_time_scale is None else delivery.org.retry_time_scale
        delivery.due = time.monotonic() + SCHEDULE[delivery.attempt] * scale
        delivery.attempt += 1
        self._push(delivery)

    def _post(self, delivery: Delivery) -> tuple[int | None, str | None]:
        """The receiver's final status (None when there is none) and why there is none."""
        url = delivery.url
        headers = {"Content-Type": "application/json", "X-Lxo-Signature": self.signer.sign(delivery.body)}
        timeout = TIMEOUT if delivery.org.webhook_timeout is None else delivery.org.webhook_timeout
        status = None
        for _redirect in range(4):  # the original request and at most three redirects
            try:
                response = self._session.post(
                    url, data=delivery.body, headers=headers, timeout=timeout, allow_redirects=False
                )
            except requests.Timeout:
                return None, "timeout"
            except requests.RequestException:
                return None, "unreachable"
            status = response.status_code
            if status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            return status, None
        return status, "too many redirects"  # still redirecting after three: a failure that is never retried


def check_callback(url: object, *, allow_http: bool, path: str) -> str:
    """HTTPS (or loopback http when allowed) and a successful HEAD probe, as Lexoffice checks."""
    if not isinstance(url, str) or not url:
        raise regular(
            406,
            path,
            "Validation failed",
            [{"violation": "NOTNULL", "field": "callbackUrl", "message": "darf nicht leer sein"}],
        )
    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http" and loopback):
        raise regular(406, path, "callbackUrl must use https")
    try:
        probe = requests.head(url, timeout=5, allow_redirects=False)
    except requests.RequestException:
        raise regular(406, path, "callbackUrl is not reachable") from None
    if probe.status_code >= 400:
        raise regular(406, path, f"callbackUrl answered {probe.status_code} to the HEAD check")
    return url
