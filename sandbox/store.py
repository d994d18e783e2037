"""The sandbox's state: organizations (one per API key) with their records, in memory."""

import hashlib
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field

from sandbox.clock import now_text


@dataclass
class StoredFile:
    id: str
    content: bytes
    content_type: str
    filename: str
    checksum: str
    voucher_id: str | None = None
    xml: bytes | None = None  # the XRechnung XML of an e-invoice document


@dataclass
class Bucket:
    """Lexoffice's token bucket for one key: `rate` tokens a second, at most `capacity`."""

    rate: float
    capacity: int
    tokens: float = 0.0
    updated: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.tokens = float(self.capacity)

    def take(self) -> bool:
        if self.rate <= 0:
            return True
        with self.lock:  # requests arrive on several server threads at once
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


# The organization's own data as an XRechnung needs it (settings and the print layout's footer in the web app).
ORGANIZATION_DATA = {
    "street": "Musterstraße 1",
    "zip": "10115",
    "city": "Berlin",
    "countryCode": "DE",
    "phone": "030 1234567",
    "email": "buchhaltung@beispiel-handel.example",
    "taxNumber": "11/222/33333",
    "vatRegistrationId": "DE123456789",
    "bankAccount": {"iban": "DE02120300000000202051", "bic": "BYLADEM1001"},
}


@dataclass
class Organization:
    id: str
    api_key: str
    company_name: str
    connection_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    key_status: str = "active"  # active | revoked | no_plan | forbidden
    e_invoice: bool = False
    stale_version_status: int = 409
    rate_limit_mode: str = "429"
    rate_limit_message: str | None = "Too Many Requests"  # the 429 body is undocumented; configurable
    legacy_gateway: bool = False  # answer unknown routes like the old gateway (403 key=value message)
    bucket: Bucket = field(default_factory=lambda: Bucket(2.0, 2))
    contacts: dict[str, dict] = field(default_factory=dict)
    vouchers: dict[str, dict] = field(default_factory=dict)
    sales: dict[str, dict] = field(default_factory=dict)  # id -> document (with "_kind")
    articles: dict[str, dict] = field(default_factory=dict)
    recurring_templates: dict[str, dict] = field(default_factory=dict)
    denied_scopes: set[str] = field(default_factory=set)  # first path segments this key may not use (403)
    retry_time_scale: float | None = None  # overrides the sandbox's webhook retry time scale for this key
    webhook_timeout: float | None = None  # seconds a receiver may take (Lexoffice: 5); None = the sandbox's
    tax_type: str = "net"  # the profile's taxType; `vatfree` (or small_business) allows only vat-free documents
    small_business: bool = False
    subscription_status: str = "active"  # the only value in the docs' sample; others unconfirmed
    distance_sales_principle: str | None = None  # ORIGIN | DESTINATION; absent until set, as in Lexoffice
    details: dict = field(default_factory=lambda: dict(ORGANIZATION_DATA))  # checked at XRechnung finalization
    ping: bool = False  # legacy GET /v1/ping; its existence on the current gateway is unconfirmed
    file_status: bool = False  # GET /v1/files/{id}/status; mentioned but undocumented
    method_status: int = 404  # a known method a route lacks: 404 as observed live, or 405 as documented
    quotation_accepted_on_pursue: bool = True
    date_filter_datetimes: bool = False  # voucher list date filters also taking datetimes (unconfirmed)
    # Kleinunternehmer category ids accepted and listed: the docs' 2026 id by default (§9.4 [UNCONFIRMED])
    small_business_categories: tuple[str, ...] = ("f5c7fee8-f184-4e7a-ab04-8f7e7ad6c207",)
    # Voucher list sort properties: documented four, but one client found only voucherDate accepted (§10.1)
    voucherlist_sorts: tuple[str, ...] = ("voucherDate",)
    ocr_delay: float = 0.0  # seconds an upload's voucher stays `blank` before it is `unchecked`
    files: dict[str, StoredFile] = field(default_factory=dict)
    subscriptions: dict[str, dict] = field(default_factory=dict)
    customer_numbers: int = 10000
    vendor_numbers: int = 70000
    voucher_numbers: dict[str, int] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def next_customer_number(self) -> int:
        self.customer_numbers += 1
        return self.customer_numbers

    def next_vendor_number(self) -> int:
        self.vendor_numbers += 1
        return self.vendor_numbers

    def next_voucher_number(self, prefix: str) -> str:
        self.voucher_numbers[prefix] = self.voucher_numbers.get(prefix, 0) + 1
        return f"{prefix}{self.voucher_numbers[prefix]:04d}"

    def add_file(
        self,
        content: bytes,
        content_type: str,
        filename: str,
        voucher_id: str | None = None,
        xml: bytes | None = None,
        file_id: str | None = None,
    ) -> StoredFile:
        stored = StoredFile(
            file_id or str(uuid.uuid4()),
            content,
            content_type,
            filename,
            hashlib.sha256(content).hexdigest(),
            voucher_id,
            xml,
        )
        self.files[stored.id] = stored
        return stored

    def file_by_checksum(self, checksum: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.checksum == checksum), None)


def stamp(record: dict, *, created: bool = False) -> dict:
    """Bump version and updatedDate as any write in Lexoffice does."""
    text = now_text()
    if created:
        record["createdDate"] = text
        record["version"] = record.get("version") or 1
    else:
        record["version"] = int(record.get("version") or 0) + 1
    record["updatedDate"] = text
    return record


@dataclass
class LoggedRequest:
    time: str
    key: str
    method: str
    path: str
    query: str
    status: int
    duration_ms: float


class RequestLog:
    def __init__(self, limit: int = 200_000) -> None:
        self.entries: deque[LoggedRequest] = deque(maxlen=limit)
        self.lock = threading.Lock()

    def add(self, entry: LoggedRequest) -> None:
        with self.lock:
            self.entries.append(entry)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()

    def snapshot(self, key: str | None = None) -> list[LoggedRequest]:
        with self.lock:
            return [e for e in self.entries if key is None or e.key == key]


def fingerprint(api_key: str) -> str:
    """How the request log names a key: a short hash, never the key."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:12]
