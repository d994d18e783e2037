"""Creating sales documents (§11.7, §12): drafts or `?finalize=true`, pursue chains via
`precedingSalesVoucherId`, server-side numbers and totals, XRechnung selection, and the webhooks that follow."""

import copy
import uuid
from datetime import timedelta

from sandbox import sales, sales_rules, taxes
from sandbox.clock import BERLIN, day_text, fmt, parse_strict
from sandbox.errors import regular
from sandbox.store import Organization, stamp

CREATABLE = {
    "invoices": "invoice",
    "credit-notes": "creditnote",
    "quotations": "quotation",
    "order-confirmations": "orderconfirmation",
    "delivery-notes": "deliverynote",
    "dunnings": "dunning",
}
PREFIXES = {"invoice": "RE", "creditnote": "GS", "quotation": "AG", "orderconfirmation": "AB", "deliverynote": "LS"}
# Which document may follow which (§12): the key is the new document, the values its allowed predecessors.
PURSUE_FROM = {
    "invoice": {"quotation", "orderconfirmation", "deliverynote"},
    "creditnote": {"invoice"},
    "orderconfirmation": {"quotation"},
    "deliverynote": {"quotation", "orderconfirmation", "invoice"},
    "dunning": {"invoice", "downpaymentinvoice"},
}
FINALIZE_WITH_PURSUE = {"invoice", "creditnote"}  # documented for these two only; stricter: refuse the others
WITH_PAYMENT_TERMS = {"invoice", "quotation", "orderconfirmation"}
DEFAULT_TERM = {
    "paymentTermLabel": "Zahlbar innerhalb von 14 Tagen ohne Abzug",
    "paymentTermLabelTemplate": "Zahlbar innerhalb von {paymentRange} Tagen ohne Abzug",
    "paymentTermDuration": 14,
}
COPIED = ("title", "introduction", "remark", "deliveryTerms", "printLayoutId")

Events = list[tuple[str, str]]


def create(org: Organization, kind_path: str, body: dict, args: dict, path: str) -> tuple[dict, Events]:
    """Validate and store a new document; returns it and the webhooks (event type, resource id) to send."""
    kind = CREATABLE[kind_path]
    finalize = _flag(args.get("finalize"), path)
    if finalize and kind == "dunning":
        raise regular(406, path, "Dunnings cannot be finalized; they are always created as draft")
    predecessor = _predecessor(org, kind, args.get("precedingSalesVoucherId"), finalize, path)
    sales_rules.check(org, kind, body, path)
    if kind == "dunning":
        _check_dunning(body, predecessor, path)
    e_invoice = _e_invoice(org, kind, body, path) if kind in ("invoice", "creditnote") else None
    if finalize and e_invoice is not None and e_invoice[0] == "XRechnung":
        taxes.check_xrechnung_finalization(org, path)  # before a voucher number is taken
    document = _build(org, kind, body, finalize, e_invoice)
    if kind == "dunning":  # a dunning addresses the invoice's recipient by the invoice's name
        document["address"]["name"] = (predecessor.get("address") or {}).get("name")
    events: Events = [(f"{sales.EVENT_RESOURCES[kind]}.created", document["id"])]
    if predecessor is not None:
        events += _link(org, document, predecessor)
    org.sales[document["id"]] = document
    return document, events


def _flag(value: str | None, path: str) -> bool:
    if value is None or value.lower() == "false":
        return False
    if value.lower() == "true":
        return True
    raise regular(400, path, f"Invalid value '{value}' received for request parameter 'finalize'")


def _predecessor(org: Organization, kind: str, preceding_id: str | None, finalize: bool, path: str) -> dict | None:
    if preceding_id is None:
        if kind == "dunning":
            raise regular(400, path, "Required request parameter 'precedingSalesVoucherId' is not present")
        return None
    if kind not in PURSUE_FROM:
        raise regular(406, path, f"A {kind} cannot be created from a preceding sales voucher")
    if finalize and kind not in FINALIZE_WITH_PURSUE:
        raise regular(406, path, f"A pursued {kind} cannot be finalized at creation")
    predecessor = org.sales.get(preceding_id)
    if predecessor is None:
        raise regular(406, path, f"The preceding sales voucher {preceding_id} does not exist")
    before = predecessor["_kind"]
    if before not in PURSUE_FROM[kind]:
        raise regular(406, path, f"Pursuing a {before} to a {kind} is not allowed")
    if predecessor["voucherStatus"] in ("draft", "voided"):
        raise regular(
            406,
            path,
            f"The preceding sales voucher is in status '{predecessor['voucherStatus']}' and cannot be pursued",
        )
    if predecessor.get("closingInvoice"):
        raise regular(406, path, "Closing invoices cannot be pursued")
    if kind == "invoice" and before == "quotation" and _has_optional_items(predecessor):
        raise regular(406, path, "Quotations with optional or alternative line items cannot be pursued to an invoice")
    if kind == "creditnote" and any(
        r.get("voucherType") == "creditnote" for r in predecessor.get("relatedVouchers") or []
    ):
        raise regular(406, path, "The invoice already has a credit note")
    if kind == "dunning" and predecessor["voucherStatus"] not in ("open", "sepadebit"):
        raise regular(406, path, "Only open invoices can be dunned")
    return predecessor


def _has_optional_items(quotation: dict) -> bool:
    return any(item.get("optional") or item.get("subItems") for item in quotation.get("lineItems") or [])


def _check_dunning(body: dict, invoice: dict, path: str) -> None:
    wanted = (body.get("address") or {}).get("contactId")
    if wanted != (invoice.get("address") or {}).get("contactId"):
        raise regular(406, path, "The contact of the dunning must be the contact of the invoice")
    mine, theirs = body.get("taxConditions") or {}, invoice.get("taxConditions") or {}
    if (mine.get("taxType"), mine.get("taxSubType")) != (theirs.get("taxType"), theirs.get("taxSubType")):
        raise regular(406, path, "The tax conditions of the dunning must match those of the invoice")


def _berlin(value: str) -> str:
    """Lexoffice answers every datetime in Berlin time, whatever offset it was sent with."""
    return fmt(parse_strict(value))


def _build(org: Organization, kind: str, body: dict, finalize: bool, e_invoice: tuple[str, dict | None] | None) -> dict:
    document = {
        "id": str(uuid.uuid4()),
        "organizationId": org.id,
        "_kind": kind,
        "version": 1,
        "language": body.get("language") or "de",
        "archived": False,
        "voucherStatus": "open" if finalize else "draft",
        "voucherDate": _berlin(body["voucherDate"]),
        "address": _address(org, kind, body["address"]),
        "lineItems": copy.deepcopy(body["lineItems"]),
        "taxConditions": copy.deepcopy(body["taxConditions"]),
        "relatedVouchers": [],
        "title": sales.TITLES[kind],
    }
    document.update({name: body[name] for name in COPIED if body.get(name) is not None})
    if kind in PREFIXES:
        document["voucherNumber"] = org.next_voucher_number(PREFIXES[kind])
    if body.get("shippingConditions") is not None:
        document["shippingConditions"] = _shipping(body["shippingConditions"])
    if kind == "quotation":
        document["expirationDate"] = _berlin(body["expirationDate"])
    if kind in WITH_PAYMENT_TERMS:
        document["paymentConditions"] = copy.deepcopy(body.get("paymentConditions") or DEFAULT_TERM)
    if kind != "deliverynote":  # delivery notes carry no totals or tax amounts
        document["totalPrice"] = {
            key: value
            for key, value in (body.get("totalPrice") or {}).items()
            if key in ("currency", "totalDiscountAbsolute", "totalDiscountPercentage")
        }
        sales.compute_totals(document)
    if e_invoice is not None:
        document["electronicDocumentProfile"], x_rechnung = e_invoice
        if x_rechnung is not None:
            document["xRechnung"] = x_rechnung
    if kind == "invoice":
        duration = document["paymentConditions"].get("paymentTermDuration") or 0
        voucher_day = parse_strict(body["voucherDate"]).astimezone(BERLIN).date()
        document.update(
            dueDate=day_text(voucher_day + timedelta(days=duration)),
            closingInvoice=False,
            claimedGrossAmount=document["totalPrice"]["totalGrossAmount"],
            downPaymentDeductions=[],
            recurringTemplateId=None,
        )
    return stamp(document, created=True)


def _address(org: Organization, kind: str, given: dict) -> dict:
    """A referenced contact supplies name and address (delivery notes prefer its shipping address);
    fields sent with the document override them for this document only."""
    contact = org.contacts.get(given.get("contactId") or "")
    if contact is None:
        return {key: value for key, value in given.items() if key != "contactPerson"}
    addresses = contact.get("addresses") or {}
    source = ((addresses.get("shipping") or []) if kind == "deliverynote" else []) or addresses.get("billing") or []
    resolved = {"contactId": contact["id"], "name": sales.contact_name(contact), **(source[0] if source else {})}
    primary = next((p for p in (contact.get("company") or {}).get("contactPersons") or [] if p.get("primary")), None)
    if primary:
        resolved["contactPerson"] = " ".join(
            p for p in (primary.get("salutation"), primary.get("firstName"), primary.get("lastName")) if p
        )
    resolved.update({key: value for key, value in given.items() if key != "contactPerson" and value is not None})
    return resolved


def _shipping(conditions: dict) -> dict:
    shipping = {"shippingType": conditions["shippingType"]}
    for name in ("shippingDate", "shippingEndDate"):
        if conditions.get(name) is not None and conditions["shippingType"] != "none":
            shipping[name] = _berlin(conditions[name])
    return shipping


def _e_invoice(org: Organization, kind: str, body: dict, path: str) -> tuple[str, dict | None]:
    """XRechnung when the contact carries Leitweg-ID and supplier number, or the invoice names a buyer
    reference; an empty buyer reference forces a regular invoice (§12.1)."""
    contact = org.contacts.get((body.get("address") or {}).get("contactId") or "") or {}
    contact_data = contact.get("xRechnung") or {}
    on_contact = bool(contact_data.get("buyerReference") and contact_data.get("vendorNumberAtCustomer"))
    override = (body.get("xRechnung") or {}).get("buyerReference") if kind == "invoice" else None
    if override == "" or (override is None and not on_contact):
        return "NONE", None
    if not on_contact:
        raise regular(
            406,
            path,
            "XRechnung requires a contact with buyer reference and vendor number at customer",
            [
                {
                    "violation": "INVALID",
                    "field": "xRechnung.buyerReference",
                    "message": "Kontakt hat keine XRechnung-Daten",
                }
            ],
        )
    billing = ((contact.get("addresses") or {}).get("billing") or [{}])[0]
    if (body.get("taxConditions") or {}).get("taxType") != "net" or not billing.get("zip") or not billing.get("city"):
        raise regular(406, path, "XRechnung requires tax type net and a contact with billing zip and city")
    return "XRechnung", {"buyerReference": override or contact_data["buyerReference"]}


def _link(org: Organization, document: dict, predecessor: dict) -> Events:
    """Relate both documents; a finalized credit note settles its invoice (§12.2)."""
    kind, before = document["_kind"], predecessor["_kind"]
    document["relatedVouchers"] = [
        {"id": predecessor["id"], "voucherNumber": predecessor.get("voucherNumber"), "voucherType": before}
    ]
    predecessor.setdefault("relatedVouchers", []).append(
        {"id": document["id"], "voucherNumber": document.get("voucherNumber"), "voucherType": kind}
    )
    resource = sales.EVENT_RESOURCES[before]
    events: Events = [(f"{resource}.changed", predecessor["id"])]
    status_before = predecessor["voucherStatus"]
    if before == "quotation" and status_before == "open" and org.quotation_accepted_on_pursue:
        predecessor["voucherStatus"] = "accepted"  # the web app marks a pursued quotation as accepted
    if kind == "creditnote" and document["voucherStatus"] == "open":
        document["voucherStatus"] = "paidoff"
        credited = float(document["totalPrice"]["totalGrossAmount"])
        predecessor["_credited"] = round(float(predecessor.get("_credited") or 0) + credited, 2)
        if (sales.open_amount(predecessor) or 0) <= 0:
            predecessor["voucherStatus"] = "paid"
        events.append(("payment.changed", predecessor["id"]))
    stamp(predecessor)
    if predecessor["voucherStatus"] != status_before:
        events.append((f"{resource}.status.changed", predecessor["id"]))
    return events
