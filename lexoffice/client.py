"""The Lexoffice API client: the one HTTP seam between Lexhub and Lexoffice.

One instance per connection (API key). `Lexoffice` has one method per operation; each returns plain
parsed JSON and knows nothing of our models. How requests are sent (shared budget, timeouts,
retries, errors) lives in lexoffice.transport, the checks of passthrough requests in
lexoffice.passthrough, the kinds of sales documents in lexoffice.kinds. The names callers use are
importable from here.
"""

import html
import logging
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, BinaryIO

import requests

from lexoffice.errors import (
    AuthenticationError,
    Conflict,
    LexofficeError,
    MaybeExecuted,
    NotFound,
    PassthroughRejected,
    PermissionDenied,
    RateLimited,
    ServerError,
    TransportError,
    ValidationFailed,
)
from lexoffice.kinds import BY_PATH
from lexoffice.passthrough import PASSTHROUGH_HEADERS, PASSTHROUGH_METHODS, request_arguments
from lexoffice.ratelimit import LANES
from lexoffice.transport import Download, Json, Transport

__all__ = [
    "LANES",
    "PASSTHROUGH_HEADERS",
    "PASSTHROUGH_METHODS",
    "AuthenticationError",
    "Conflict",
    "Download",
    "Lexoffice",
    "LexofficeError",
    "MaybeExecuted",
    "NotFound",
    "PassthroughRejected",
    "PermissionDenied",
    "RateLimited",
    "ServerError",
    "TransportError",
    "ValidationFailed",
]

log = logging.getLogger("lexoffice.client")

PAGE_SIZE = 250
SEARCH_WINDOW = 10_000
EARLIEST_DATE = date(1990, 1, 1)


class Lexoffice(Transport):
    """The Lexoffice API, one method per operation; each returns parsed JSON and knows nothing of our models."""

    # --- profile and master data ---------------------------------------------------------------

    def profile(self) -> Json:
        return self._object("GET", "/v1/profile")

    def posting_categories(self) -> list[Json]:
        return self._list("GET", "/v1/posting-categories")

    def countries(self) -> list[Json]:
        return self._list("GET", "/v1/countries")

    def payment_conditions(self) -> list[Json]:
        return self._list("GET", "/v1/payment-conditions")

    def print_layouts(self) -> list[Json]:
        return self._list("GET", "/v1/print-layouts")

    # --- contacts ------------------------------------------------------------------------------

    def contacts(
        self,
        *,
        email: str | None = None,
        name: str | None = None,
        number: int | None = None,
        customer: bool | None = None,
        vendor: bool | None = None,
        page: int = 0,
        size: int = PAGE_SIZE,
    ) -> Json:
        """One page of contacts. `email`/`name` are substring patterns (`_`, `%` wildcards)."""
        params = {
            "email": search_term(email),
            "name": search_term(name),
            "number": number,
            "customer": _bool(customer),
            "vendor": _bool(vendor),
            "page": page,
            "size": size,
        }
        return self._object("GET", "/v1/contacts", params=params)

    def iter_contacts(self, **filters: Any) -> Iterator[Json]:
        page = 0
        while True:
            envelope = self.contacts(**filters, page=page, size=PAGE_SIZE)
            yield from _content(envelope)
            if envelope.get("last", True) or not envelope.get("content"):
                return
            page += 1

    def contact(self, contact_id: str) -> Json:
        return self._object("GET", f"/v1/contacts/{_id(contact_id)}")

    def create_contact(self, payload: Json) -> Json:
        return self._object("POST", "/v1/contacts", json=payload)

    def update_contact(self, contact_id: str, payload: Json) -> Json:
        return self._object("PUT", f"/v1/contacts/{_id(contact_id)}", json=payload)

    # --- voucher list --------------------------------------------------------------------------

    def voucherlist(
        self,
        *,
        voucher_type: str = "any",
        voucher_status: str = "any",
        archived: bool | None = None,
        contact_id: str | None = None,
        voucher_date_from: date | None = None,
        voucher_date_to: date | None = None,
        created_date_from: date | None = None,
        created_date_to: date | None = None,
        updated_date_from: date | None = None,
        updated_date_to: date | None = None,
        voucher_number: str | None = None,
        sort: str | None = None,
        page: int = 0,
        size: int = PAGE_SIZE,
    ) -> Json:
        params = {
            "voucherType": voucher_type,
            "voucherStatus": voucher_status,
            "archived": _bool(archived),
            "contactId": contact_id,
            "voucherDateFrom": _day(voucher_date_from),
            "voucherDateTo": _day(voucher_date_to),
            "createdDateFrom": _day(created_date_from),
            "createdDateTo": _day(created_date_to),
            "updatedDateFrom": _day(updated_date_from),
            "updatedDateTo": _day(updated_date_to),
            "voucherNumber": search_term(voucher_number),
            "sort": sort,
            "page": page,
            "size": size,
        }
        return self._object("GET", "/v1/voucherlist", params=params)

    def iter_voucherlist(self, **filters: Any) -> Iterator[Json]:
        """Every matching entry. A query reaching the 10,000-entry search window is split into date
        windows (by voucher date, or by updated date when `updated_date_from` is given) until each
        window fits, so the walk never asks for a page beyond the window."""
        by = "updated_date" if filters.get("updated_date_from") else "voucher_date"
        low = filters.pop(f"{by}_from", None) or EARLIEST_DATE
        high = filters.pop(f"{by}_to", None) or date.today() + timedelta(days=3660)
        yield from self._walk_window(filters, by, low, high)

    def _walk_window(self, filters: dict[str, Any], by: str, low: date, high: date) -> Iterator[Json]:
        window = {**filters, f"{by}_from": low, f"{by}_to": high}
        first = self.voucherlist(**window, page=0, size=PAGE_SIZE)
        total = first.get("totalElements") or 0
        if total >= SEARCH_WINDOW and low < high:
            middle = low + (high - low) // 2
            yield from self._walk_window(filters, by, low, middle)
            yield from self._walk_window(filters, by, middle + timedelta(days=1), high)
            return
        if total >= SEARCH_WINDOW:
            log.warning(
                "more than %s vouchers on %s; only the first %s are reachable", SEARCH_WINDOW, low, SEARCH_WINDOW
            )
        yield from _content(first)
        page = 1
        while not first.get("last", True) and page * PAGE_SIZE < SEARCH_WINDOW:
            envelope = self.voucherlist(**window, page=page, size=PAGE_SIZE)
            yield from _content(envelope)
            if envelope.get("last", True) or not envelope.get("content"):
                return
            page += 1

    # --- bookkeeping vouchers and files --------------------------------------------------------

    def voucher(self, voucher_id: str) -> Json:
        return self._object("GET", f"/v1/vouchers/{_id(voucher_id)}")

    def create_voucher(self, payload: Json) -> Json:
        return self._object("POST", "/v1/vouchers", json=payload)

    def update_voucher(self, voucher_id: str, payload: Json) -> Json:
        return self._object("PUT", f"/v1/vouchers/{_id(voucher_id)}", json=payload)

    def vouchers_by_number(self, voucher_number: str) -> list[Json]:
        envelope = self._object("GET", "/v1/vouchers", params={"voucherNumber": search_term(voucher_number)})
        return _content(envelope)

    def upload_voucher_file(self, voucher_id: str, *, filename: str, fileobj: BinaryIO, content_type: str) -> Json:
        return self._object(
            "POST", f"/v1/vouchers/{_id(voucher_id)}/files", files={"file": (filename, fileobj, content_type)}
        )

    def upload_file(self, *, filename: str, fileobj: BinaryIO, content_type: str) -> Json:
        """POST /v1/files (type=voucher): Lexoffice creates a voucher for it; returns {id, voucherId}."""
        return self._object(
            "POST", "/v1/files", files={"file": (filename, fileobj, content_type)}, data={"type": "voucher"}
        )

    def download_file(self, file_id: str, *, accept: str = "*/*") -> Download:
        return self._download(f"/v1/files/{_id(file_id)}", accept)

    def payments(self, voucher_id: str) -> Json:
        return self._object("GET", f"/v1/payments/{_id(voucher_id)}")

    # --- sales documents -----------------------------------------------------------------------

    def sales_document(self, kind: str, document_id: str) -> Json:
        return self._object("GET", f"/v1/{_kind(kind)}/{_id(document_id)}")

    def invoice(self, invoice_id: str) -> Json:
        return self.sales_document("invoices", invoice_id)

    def render_document(self, kind: str, document_id: str) -> str:
        """The deprecated render call; returns the documentFileId."""
        return str(self._object("GET", f"/v1/{_kind(kind)}/{_id(document_id)}/document")["documentFileId"])

    def download_document(self, kind: str, document_id: str, *, accept: str = "*/*") -> Download:
        return self._download(f"/v1/{_kind(kind)}/{_id(document_id)}/file", accept)

    def create_sales_document(
        self, kind: str, payload: Json, *, finalize: bool = False, preceding_id: str | None = None
    ) -> Json:
        """POST a new sales document (a draft unless `finalize`); `preceding_id` pursues an existing one.
        Returns the action result {id, resourceUri, createdDate, updatedDate, version}."""
        params = {
            "finalize": "true" if finalize else None,
            "precedingSalesVoucherId": _id(preceding_id) if preceding_id else None,
        }
        return self._object("POST", f"/v1/{_kind(kind)}", params=params, json=payload)

    def create_invoice(self, payload: Json, *, finalize: bool = False, preceding_id: str | None = None) -> Json:
        return self.create_sales_document("invoices", payload, finalize=finalize, preceding_id=preceding_id)

    # --- articles and recurring templates ------------------------------------------------------

    def articles(
        self,
        *,
        article_number: str | None = None,
        gtin: str | None = None,
        article_type: str | None = None,
        page: int = 0,
        size: int = PAGE_SIZE,
    ) -> Json:
        """One page of articles; the filters match exactly."""
        params = {"articleNumber": article_number, "gtin": gtin, "type": article_type, "page": page, "size": size}
        return self._object("GET", "/v1/articles", params=params)

    def article(self, article_id: str) -> Json:
        return self._object("GET", f"/v1/articles/{_id(article_id)}")

    def create_article(self, payload: Json) -> Json:
        return self._object("POST", "/v1/articles", json=payload)

    def update_article(self, article_id: str, payload: Json) -> Json:
        return self._object("PUT", f"/v1/articles/{_id(article_id)}", json=payload)

    def delete_article(self, article_id: str) -> None:
        self._send("DELETE", f"/v1/articles/{_id(article_id)}")

    def recurring_templates(self, *, sort: str | None = None, page: int = 0, size: int = PAGE_SIZE) -> Json:
        return self._object("GET", "/v1/recurring-templates", params={"sort": sort, "page": page, "size": size})

    def recurring_template(self, template_id: str) -> Json:
        return self._object("GET", f"/v1/recurring-templates/{_id(template_id)}")

    # --- event subscriptions -------------------------------------------------------------------

    def event_subscriptions(self) -> list[Json]:
        return _content(self._object("GET", "/v1/event-subscriptions"))

    def event_subscription(self, subscription_id: str) -> Json:
        return self._object("GET", f"/v1/event-subscriptions/{_id(subscription_id)}")

    def create_event_subscription(self, *, event_type: str, callback_url: str) -> Json:
        return self._object(
            "POST", "/v1/event-subscriptions", json={"eventType": event_type, "callbackUrl": callback_url}
        )

    def delete_event_subscription(self, subscription_id: str) -> None:
        self._send("DELETE", f"/v1/event-subscriptions/{_id(subscription_id)}")

    # --- passthrough ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        body: bytes | str | dict[str, Any] | list[Any] | None = None,
    ) -> requests.Response:
        """'Make an API call': any /v1/ path of this connection; the answer is returned as it is
        (no exception for 4xx/5xx, no redirect followed). Raises PassthroughRejected for a request
        that could leave this connection's host or change its authorization."""
        method, path, kwargs = request_arguments(self._base_url, method, path, query=query, headers=headers, body=body)
        return self._send(method, path, raise_errors=False, **kwargs)


def search_term(value: str | None) -> str | None:
    """Lexoffice matches HTML-encoded text: encode & < > first; requests then URL-encodes."""
    if value is None:
        return None
    return html.escape(value, quote=False)


def _bool(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def _day(value: date | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()[:10]


UUIDISH = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def _content(envelope: Json) -> list[Json]:
    """The records of a paged answer (`content`), checked to be objects."""
    content = envelope.get("content") or []
    if not isinstance(content, list) or not all(isinstance(item, dict) for item in content):
        raise ServerError("Lexoffice answered with a page whose content is not a list of objects")
    return content


def _id(value: object) -> str:
    """Ids go into paths: allow only what an id can contain, so no id can change the path."""
    text = str(value)
    if not UUIDISH.match(text):
        raise ValueError("not a valid Lexoffice id")
    return text


def _kind(kind: str) -> str:
    """Sales documents are named by the path of their endpoints (`credit-notes`, see lexoffice.kinds)."""
    if kind not in BY_PATH:
        raise ValueError(f"unknown sales document kind {kind!r}")
    return kind
