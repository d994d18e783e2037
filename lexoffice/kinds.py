"""The kinds of sales documents and their names in each part of the Lexoffice API.

Lexoffice calls one kind three ways: `creditnote` in the voucher list (which is also what the mirror
stores as a document's kind), `credit-notes` as the path of its endpoints and `credit-note` as the
resource of its webhook events. This table is the one place that knows them; everything else derives
what it needs from it (see shared/lexoffice-api.md, voucher list and event subscriptions).
"""

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["BY_EVENT_RESOURCE", "BY_PATH", "BY_VOUCHER_TYPE", "SALES_KINDS", "SalesKind"]


@dataclass(frozen=True)
class SalesKind:
    voucher_type: str  # in the voucher list's `voucherType`, e.g. "creditnote"
    path: str  # its endpoints: /v1/{path}, /v1/{path}/{id}, e.g. "credit-notes"
    event_resource: str  # its webhook events: {event_resource}.created, e.g. "credit-note"


# In the order the product lists them (it is the order of the API's `kind` choices).
SALES_KINDS = (
    SalesKind("invoice", "invoices", "invoice"),
    SalesKind("downpaymentinvoice", "down-payment-invoices", "down-payment-invoice"),
    SalesKind("creditnote", "credit-notes", "credit-note"),
    SalesKind("orderconfirmation", "order-confirmations", "order-confirmation"),
    SalesKind("quotation", "quotations", "quotation"),
    SalesKind("deliverynote", "delivery-notes", "delivery-note"),
    SalesKind("dunning", "dunnings", "dunning"),
)
BY_VOUCHER_TYPE: Mapping[str, SalesKind] = {kind.voucher_type: kind for kind in SALES_KINDS}
BY_PATH: Mapping[str, SalesKind] = {kind.path: kind for kind in SALES_KINDS}
BY_EVENT_RESOURCE: Mapping[str, SalesKind] = {kind.event_resource: kind for kind in SALES_KINDS}
