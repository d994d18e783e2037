"""The control API under /_sandbox/ (loopback only): organizations, config, request log, faults,
webhook deliveries, and mutations as a person in the Lexoffice web app would make them (mutations.py)."""

import json
import random

from werkzeug.wrappers import Request, Response

from sandbox.faults import fault_rules
from sandbox.mutations import mutate
from sandbox.seed import seed_organization
from sandbox.store import Organization, fingerprint
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
            return _json(200, mutate(sandbox, find_org(sandbox, body), body))
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


def find_org(sandbox, body: dict) -> Organization:
    org = sandbox.orgs.get(body.get("apiKey") or "") or sandbox.org_by_id(body.get("organizationId") or "")
    if org is None:
        raise LookupError("unknown apiKey / organizationId")
    return org


def configure(sandbox, body: dict) -> dict:
    org = find_org(sandbox, body)
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
