"""The control API under /_sandbox/ (loopback only): organizations, config, request log, faults,
webhook deliveries, and mutations as a person in the Lexoffice web app would make them."""

import copy
import json
import random
import uuid

from werkzeug.wrappers import Request, Response

from sandbox import recurring, sales, sales_create
from sandbox.seed import seed_organization
from sandbox.store import Organization, fingerprint, stamp
from sandbox.voucherlist import SORTABLE

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _json(status: int, body: object) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def control(sandbox, request: Request, path: str) -> Response:
    if request.remote_addr not in LOOPBACK:
        return _json(403, {"message": "the control API answers loopback clients only"})
    body = {}
    if request.method in ("POST", "PUT"):
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            return _json(400, {"message": "body must be JSON"})
    route = (path, request.method)
    try:
        if route == ("/_sandbox/health", "GET"):
            return _json(200, {"status": "ok", "organizations": len(sandbox.orgs)})
        if route == ("/_sandbox/organizations", "POST"):
            return _json(201, create_org(sandbox, body))
        if route == ("/_sandbox/config", "POST"):
            return _json(200, configure(sandbox, body))
        if path == "/_sandbox/requests":
            return requests_log(sandbox, request)
        if path == "/_sandbox/faults":
            return faults(sandbox, request, body)
        if route == ("/_sandbox/mutations", "POST"):
            return _json(200, mutate(sandbox, body))
        if route == ("/_sandbox/deliveries", "GET"):
            key = request.args.get("apiKey")
            return _json(
                200,
                {
                    "deliveries": [
                        {k: v for k, v in d.items() if k != "apiKey"}
                        for d in sandbox.dispatcher.history
                        if not key or d["apiKey"] == key
                    ]
                },
            )
    except LookupError as exc:
        return _json(404, {"message": str(exc)})
    except (ValueError, TypeError) as exc:
        return _json(400, {"message": str(exc)})
    return _json(404, {"message": "no such control endpoint"})


def create_org(sandbox, body: dict) -> dict:
    org = sandbox.add_org(
        api_key=body.get("apiKey"),
        company_name=body.get("companyName"),
        rate=body.get("rateLimit"),
        burst=body.get("burst"),
        e_invoice=bool((body.get("features") or {}).get("eInvoice")),
    )
    optional = {
        name: int(body[key])
        for name, key in (("articles", "articles"), ("recurring_templates", "recurringTemplates"))
        if body.get(key) is not None
    }
    seed_organization(
        org,
        seed=int(body.get("seed", 1)),
        contacts=int(body.get("contacts", 0)),
        vouchers=int(body.get("vouchers", 0)),
        invoices=int(body.get("invoices", 0)),
        **optional,
    )
    return {
        "organizationId": org.id,
        "apiKey": org.api_key,
        "contacts": len(org.contacts),
        "vouchers": len(org.vouchers),
        "salesDocuments": len(org.sales),
        "articles": len(org.articles),
        "recurringTemplates": len(org.recurring_templates),
    }


def _org(sandbox, body: dict) -> Organization:
    org = sandbox.orgs.get(body.get("apiKey") or "") or sandbox.org_by_id(body.get("organizationId") or "")
    if org is None:
        raise LookupError("unknown apiKey / organizationId")
    return org


def configure(sandbox, body: dict) -> dict:
    org = _org(sandbox, body)
    with org.lock:
        if "rateLimit" in body:
            org.bucket.rate = float(body["rateLimit"])
        if "burst" in body:
            org.bucket.capacity = int(body["burst"])
            org.bucket.tokens = float(org.bucket.capacity)
        if "rateLimitMode" in body:
            org.rate_limit_mode = str(body["rateLimitMode"])
        if "staleVersionStatus" in body:
            org.stale_version_status = int(body["staleVersionStatus"])
        if "keyStatus" in body:
            if body["keyStatus"] not in ("active", "revoked", "no_plan", "forbidden"):
                raise ValueError("keyStatus must be active, revoked, no_plan or forbidden")
            org.key_status = body["keyStatus"]
            if org.key_status == "revoked":  # an invalidated key loses its subscriptions
                org.subscriptions.clear()
        if "eInvoice" in body:
            org.e_invoice = bool(body["eInvoice"])
        if "deniedScopes" in body:  # e.g. ["quotations"]: what an old key may not reach (403)
            org.denied_scopes = {str(scope) for scope in body["deniedScopes"] or []}
        if "rateLimitMessage" in body:
            org.rate_limit_message = body["rateLimitMessage"]
        if "legacyGateway" in body:
            org.legacy_gateway = bool(body["legacyGateway"])
        if "retryTimeScale" in body:
            org.retry_time_scale = None if body["retryTimeScale"] is None else float(body["retryTimeScale"])
        _configure_profile(org, body)
    return {"ok": True}


def _configure_profile(org: Organization, body: dict) -> None:
    """Profile and organization settings, unconfirmed behaviours, and the webhook receiver timeout."""
    if "webhookTimeoutMs" in body:  # Lexoffice waits 5000 ms; tests shorten it
        org.webhook_timeout = None if body["webhookTimeoutMs"] is None else float(body["webhookTimeoutMs"]) / 1000
    if "taxType" in body:
        if body["taxType"] not in ("net", "gross", "vatfree"):
            raise ValueError("taxType must be net, gross or vatfree")
        org.tax_type = body["taxType"]
    if "subscriptionStatus" in body:
        org.subscription_status = str(body["subscriptionStatus"])
    if "smallBusiness" in body:
        org.small_business = bool(body["smallBusiness"])
    if "distanceSalesPrinciple" in body:
        if body["distanceSalesPrinciple"] not in (None, "ORIGIN", "DESTINATION"):
            raise ValueError("distanceSalesPrinciple must be ORIGIN, DESTINATION or null")
        org.distance_sales_principle = body["distanceSalesPrinciple"]
    if "organizationData" in body:  # e.g. {"phone": null} leaves the organization without a phone number
        data = dict(body["organizationData"])
        if "companyName" in data:
            org.company_name = data.pop("companyName") or ""
        org.details.update(data)
    for option, attribute in (
        ("ping", "ping"),
        ("fileStatus", "file_status"),
        ("quotationAcceptedOnPursue", "quotation_accepted_on_pursue"),
        ("dateFilterDatetimes", "date_filter_datetimes"),
    ):
        if option in body:
            setattr(org, attribute, bool(body[option]))
    if "smallBusinessCategoryIds" in body:  # which of the two Kleinunternehmer ids this account knows
        org.small_business_categories = tuple(str(cid) for cid in body["smallBusinessCategoryIds"] or [])
    if "voucherlistSortProperties" in body:
        chosen = tuple(str(name) for name in body["voucherlistSortProperties"] or [])
        if not set(chosen) <= set(SORTABLE):
            raise ValueError(f"voucherlistSortProperties must be among {', '.join(SORTABLE)}")
        org.voucherlist_sorts = chosen
    if "ocrDelayMs" in body:
        org.ocr_delay = max(float(body["ocrDelayMs"] or 0), 0.0) / 1000
    if "methodNotAllowedStatus" in body:
        if body["methodNotAllowedStatus"] not in (404, 405):
            raise ValueError("methodNotAllowedStatus must be 404 or 405")
        org.method_status = body["methodNotAllowedStatus"]


def requests_log(sandbox, request: Request) -> Response:
    if request.method == "DELETE":
        sandbox.requests.clear()
        return _json(200, {"ok": True})
    key = request.args.get("apiKey")
    entries = sandbox.requests.snapshot(fingerprint(key) if key else None)
    since = request.args.get("since")
    if since:
        entries = [e for e in entries if e.time >= since]
    by_key: dict[str, dict[str, int]] = {}
    for entry in entries:
        counts = by_key.setdefault(entry.key, {"requests": 0, "429": 0})
        counts["requests"] += 1
        counts["429"] += entry.status == 429
    return _json(
        200,
        {
            "requests": [
                {
                    "time": e.time,
                    "apiKey": e.key,
                    "method": e.method,
                    "path": e.path,
                    "query": e.query,
                    "status": e.status,
                    "durationMs": e.duration_ms,
                }
                for e in entries
            ],
            "counters": {"requests": len(entries), "429": sum(e.status == 429 for e in entries), "byKey": by_key},
        },
    )


def faults(sandbox, request: Request, body: dict) -> Response:
    from sandbox.faults import fault_rules

    with sandbox.fault_lock:
        if request.method == "DELETE":
            key = request.args.get("apiKey")
            sandbox.faults = [r for r in sandbox.faults if key and r.api_key != key]
            return _json(200, {"ok": True})
        rules = fault_rules(body.get("rules") or [], body.get("apiKey"))
        if body.get("replace", True):
            sandbox.faults = [r for r in sandbox.faults if body.get("apiKey") and r.api_key != body.get("apiKey")]
        sandbox.faults.extend(rules)
        if "seed" in body:
            sandbox.rng = random.Random(int(body["seed"]))
    return _json(200, {"rules": len(sandbox.faults)})


RESOURCES = {
    "contact": "contact",
    "voucher": "voucher",
    "article": "article",
    "recurring-template": "recurring-template",
    "recurringtemplate": "recurring-template",
    **{kind: kind for kind in sales.EVENT_RESOURCES},
    **{resource: kind for kind, resource in sales.EVENT_RESOURCES.items()},
}


def mutate(sandbox, body: dict) -> dict:
    """Apply a change as the Lexoffice web app would and deliver its webhooks."""
    org = _org(sandbox, body)
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
    from sandbox.clock import now_text

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
    from sandbox.clock import now_text

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
