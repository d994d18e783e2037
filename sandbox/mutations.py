"""Changes as a person in the Lexoffice web app would make them (POST /_sandbox/mutations): create, change,
archive, pay, set a status or delete a record, then deliver the webhooks Lexoffice would send."""

import copy
import uuid

from sandbox import recurring, sales, sales_create
from sandbox.clock import now_text
from sandbox.store import Organization, stamp

RESOURCES = {
    "contact": "contact",
    "voucher": "voucher",
    "article": "article",
    "recurring-template": "recurring-template",
    "recurringtemplate": "recurring-template",
    **{kind: kind for kind in sales.EVENT_RESOURCES},
    **{resource: kind for kind, resource in sales.EVENT_RESOURCES.items()},
}


def mutate(sandbox, org: Organization, body: dict) -> dict:
    """Apply a change as the Lexoffice web app would and deliver its webhooks."""
    resource = RESOURCES.get(body.get("resource") or "")
    action = body.get("action")
    fields = body.get("fields") or {}
    if body.get("resource") == "token" and action == "revoke":
        # The person revokes the API connection: token.revoked goes out, then the key and its
        # subscriptions are gone.
        sandbox.emit(org, "token.revoked", org.connection_id)
        with org.lock:
            org.key_status = "revoked"
            org.subscriptions.clear()
        return {"connectionId": org.connection_id, "keyStatus": org.key_status}
    if resource is None:
        raise ValueError(f"unknown resource {body.get('resource')!r}")
    with org.lock:
        if resource == "contact":
            record, events = _mutate_contact(org, action, body.get("id"), fields)
        elif resource == "voucher":
            record, events = _mutate_record(
                org.vouchers, "voucher", action, body.get("id"), fields, lambda: _new_voucher(org, fields)
            )
        elif resource == "article":
            record, events = _mutate_record(
                org.articles, "article", action, body.get("id"), fields, lambda: _new_article(org, fields)
            )
        elif resource == "recurring-template":
            record, events = _mutate_record(
                org.recurring_templates,
                "recurring-template",
                action,
                body.get("id"),
                fields,
                lambda: recurring.new_template(org, copy.deepcopy(fields)),
            )
        else:
            record, events = _mutate_record(
                org.sales,
                sales.EVENT_RESOURCES[resource],
                action,
                body.get("id"),
                fields,
                lambda: _new_sales(org, resource, fields),
            )
    for event in events:
        sandbox.emit(org, event, record["id"])
    return sales.public(record)


def _mutate_contact(org: Organization, action: str, record_id: str | None, fields: dict) -> tuple[dict, list[str]]:
    if action == "create":
        contact = {
            "id": str(uuid.uuid4()),
            "organizationId": org.id,
            "version": 1,
            "archived": False,
            "roles": {"customer": {"number": org.next_customer_number()}},
            "company": {"name": "Neuer Kunde GmbH"},
            **copy.deepcopy(fields),
        }
        org.contacts[contact["id"]] = contact
        return contact, ["contact.created"]
    contact = org.contacts.get(record_id or "")
    if contact is None:
        raise LookupError(f"no contact {record_id}")
    if action == "delete":
        del org.contacts[contact["id"]]
        return contact, ["contact.deleted"]
    if action == "archive":
        contact["archived"] = True
    elif action == "change":
        contact.update(copy.deepcopy(fields))
    else:
        raise ValueError(f"unknown action {action!r} for contact")
    contact["version"] += 1
    return contact, ["contact.changed"]


def _mutate_record(
    store: dict, event_resource: str, action: str, record_id: str | None, fields: dict, make
) -> tuple[dict, list[str]]:
    if action == "create":
        record = make()
        store[record["id"]] = record
        return record, [f"{event_resource}.created"]
    record = store.get(record_id or "")
    if record is None:
        raise LookupError(f"no {event_resource} {record_id}")
    if action == "delete":
        del store[record["id"]]
        return record, [f"{event_resource}.deleted"]
    events = [f"{event_resource}.changed"]
    before = record.get("voucherStatus")
    if action == "archive":
        record["archived"] = True
    elif action == "change":
        record.update(copy.deepcopy(fields))
    elif action == "pay":
        record["voucherStatus"] = "paidoff" if record.get("_kind") == "creditnote" else "paid"
        events = ["payment.changed"]
    elif action == "status":
        record["voucherStatus"] = fields["voucherStatus"]
    else:
        raise ValueError(f"unknown action {action!r}")
    if "lineItems" in fields:
        sales.compute_totals(record)
    stamp(record)
    if record.get("voucherStatus") != before:
        events.append(f"{event_resource}.status.changed")
        if before == "open" and record["voucherStatus"] == "draft" and event_resource in ("invoice", "credit-note"):
            events.append("payment.changed")  # §17.1: also fires when an invoice or credit note goes back to draft
    return record, events


def _new_voucher(org: Organization, fields: dict) -> dict:
    voucher = {
        "id": str(uuid.uuid4()),
        "organizationId": org.id,
        "type": "purchaseinvoice",
        "voucherStatus": "open",
        "voucherNumber": f"WEB-{len(org.vouchers) + 1:05d}",
        "voucherDate": now_text(),
        "totalGrossAmount": 119.0,
        "totalTaxAmount": 19.0,
        "taxType": "gross",
        "useCollectiveContact": True,
        "files": [],
        "archived": False,
        "version": 0,
        "voucherItems": [
            {
                "amount": 119.0,
                "taxAmount": 19.0,
                "taxRatePercent": 19,
                "categoryId": "16d04a28-9d3d-4a83-a0f4-5ef6b1b3c2a1",
            }
        ],
        **copy.deepcopy(fields),
    }
    return stamp(voucher, created=True)


def _new_article(org: Organization, fields: dict) -> dict:
    article = {
        "id": str(uuid.uuid4()),
        "organizationId": org.id,
        "archived": False,
        "title": "Neuer Artikel",
        "type": "SERVICE",
        "articleNumber": f"WEB-{len(org.articles) + 1:04d}",
        "unitName": "Stück",
        "price": {"netPrice": 10.0, "grossPrice": 11.9, "leadingPrice": "NET", "taxRate": 19},
        **copy.deepcopy(fields),
    }
    stamp(article, created=True)
    article["version"] = 0
    return article


def _new_sales(org: Organization, kind: str, fields: dict) -> dict:
    document = {
        "id": str(uuid.uuid4()),
        "organizationId": org.id,
        "_kind": kind,
        "voucherStatus": "open",
        "voucherDate": now_text(),
        "language": "de",
        "archived": False,
        "version": 0,
        "address": {"name": "Laufkundschaft", "countryCode": "DE"},
        "relatedVouchers": [],
        "lineItems": [
            {
                "type": "custom",
                "name": "Leistung",
                "quantity": 1,
                "unitName": "Stück",
                "unitPrice": {"currency": "EUR", "netAmount": 100.0, "taxRatePercentage": 19},
            }
        ],
        "totalPrice": {"currency": "EUR"},
        "taxConditions": {"taxType": "net"},
        **copy.deepcopy(fields),
    }
    if kind != "dunning":
        # the web app numbers from the same sequence as the API (down payment invoices: AR)
        document.setdefault("voucherNumber", org.next_voucher_number(sales_create.PREFIXES.get(kind, "AR")))
    sales.compute_totals(document)
    return stamp(document, created=True)
