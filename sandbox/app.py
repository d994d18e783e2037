"""The sandbox WSGI application: gateway behaviour (auth, rate limit, faults, errors) and /v1 routes."""

import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox import articles, contacts, files, masterdata, recurring, sales, sales_create, vouchers
from sandbox.clock import now_text
from sandbox.errors import ApiError, invalid, regular
from sandbox.faults import FaultRule, fault_response
from sandbox.paging import FILTERS, check_repeats, page_of
from sandbox.store import Bucket, LoggedRequest, Organization, RequestLog, fingerprint
from sandbox.voucherlist import voucherlist
from sandbox.webhooks import EVENT_TYPES, Dispatcher, Signer, check_callback

HTTP_OPERATIONS = ("GET", "HEAD", "POST", "PUT", "DELETE")  # all the API uses anywhere
LEGACY_PREFIXES = ("/v1/contacts", "/v1/files", "/v1/vouchers")
KINDS = ",".join(f'"{kind}"' for kind in sales.KIND_PATHS)
CREATABLE = ",".join(f'"{kind}"' for kind in sales_create.CREATABLE)


@dataclass
class Settings:
    allow_http_callbacks: bool = False
    latency_ms: int = 0
    default_rate: float = 2.0
    default_burst: int = 2


@dataclass
class Sandbox:
    data_dir: Path
    settings: Settings
    retry_time_scale: float = 1.0
    orgs: dict[str, Organization] = field(default_factory=dict)
    requests: RequestLog = field(default_factory=RequestLog)
    faults: list[FaultRule] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    fault_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.signer = Signer(self.data_dir)
        self.dispatcher = Dispatcher(self.signer, time_scale=self.retry_time_scale)
        self.url_map = Map(
            [
                Rule("/v1/profile", endpoint="profile", methods=["GET"]),
                Rule("/v1/ping", endpoint="ping", methods=["GET"]),
                Rule("/v1/contacts", endpoint="contacts", methods=["GET", "POST"]),
                Rule("/v1/contacts/<cid>", endpoint="contact", methods=["GET", "PUT"]),
                Rule("/v1/vouchers", endpoint="vouchers", methods=["GET", "POST"]),
                Rule("/v1/vouchers/<vid>", endpoint="voucher", methods=["GET", "PUT"]),
                Rule("/v1/vouchers/<vid>/files", endpoint="voucher_files", methods=["POST"]),
                Rule("/v1/voucherlist", endpoint="voucherlist", methods=["GET"]),
                Rule(f"/v1/<any({CREATABLE}):kind>", endpoint="sales_create", methods=["POST"]),
                Rule(f"/v1/<any({KINDS}):kind>/<did>", endpoint="sales", methods=["GET"]),
                Rule(f"/v1/<any({KINDS}):kind>/<did>/document", endpoint="document", methods=["GET"]),
                Rule(f"/v1/<any({KINDS}):kind>/<did>/file", endpoint="document_file", methods=["GET"]),
                Rule("/v1/articles", endpoint="articles", methods=["GET", "POST"]),
                Rule("/v1/articles/<aid>", endpoint="article", methods=["GET", "PUT", "DELETE"]),
                Rule("/v1/recurring-templates", endpoint="recurring_templates", methods=["GET"]),
                Rule("/v1/recurring-templates/<tid>", endpoint="recurring_template", methods=["GET"]),
                Rule("/v1/files", endpoint="files", methods=["POST"]),
                Rule("/v1/files/<fid>", endpoint="file", methods=["GET"]),
                Rule("/v1/files/<fid>/status", endpoint="file_status", methods=["GET"]),
                Rule("/v1/payments/<vid>", endpoint="payments", methods=["GET"]),
                Rule("/v1/event-subscriptions", endpoint="subscriptions", methods=["GET", "POST"]),
                Rule("/v1/event-subscriptions/<sid>", endpoint="subscription", methods=["GET", "DELETE"]),
                Rule(
                    '/v1/<any("countries","posting-categories","payment-conditions","print-layouts"):name>',
                    endpoint="masterdata",
                    methods=["GET"],
                ),
            ],
            strict_slashes=False,
        )

    # --- organizations ---------------------------------------------------------------------------

    def add_org(
        self,
        *,
        api_key: str | None = None,
        company_name: str | None = None,
        rate: float | None = None,
        burst: int | None = None,
        e_invoice: bool = False,
    ) -> Organization:
        key = api_key or f"sbx-{uuid.uuid4().hex}"
        org = Organization(
            id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"lexhub-sandbox:{key}")),
            api_key=key,
            company_name=company_name or "Beispiel Handel GmbH",
            e_invoice=e_invoice,
            bucket=Bucket(
                self.settings.default_rate if rate is None else rate,
                self.settings.default_burst if burst is None else burst,
            ),
        )
        self.orgs[key] = org
        return org

    def org_by_id(self, organization_id: str) -> Organization | None:
        return next((o for o in self.orgs.values() if o.id == organization_id), None)

    def emit(self, org: Organization, event_type: str, resource_id: str) -> None:
        self.dispatcher.emit(org, event_type, resource_id)

    # --- WSGI ------------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response):
        request = Request(environ)
        path = request.path.rstrip("/") or "/"
        if path.startswith("/_sandbox"):
            from sandbox.control import control

            return control(self, request, path)(environ, start_response)
        if path == "/webhookSignature/public/public_key.pub":
            return Response(self.signer.public_pem, mimetype="application/x-pem-file")(environ, start_response)
        started = time.monotonic()
        key = _bearer(request)
        response = self._api(request, path, key)
        self.requests.add(
            LoggedRequest(
                now_text(),
                fingerprint(key) if key else "",
                request.method,
                path,
                request.query_string.decode(errors="replace"),
                response.status_code,
                round((time.monotonic() - started) * 1000, 2),
            )
        )
        return response(environ, start_response)

    def _api(self, request: Request, path: str, key: str | None) -> Response:
        org = self.orgs.get(key or "")
        if org is None or org.key_status == "revoked":
            return _json(401, {"message": "Unauthorized"})
        if org.key_status == "no_plan":
            return _json(402, {"message": "Payment Required"})
        if org.key_status == "forbidden":
            return _json(403, {"message": "Forbidden"})
        if not org.bucket.take():
            if org.rate_limit_mode == "500":
                return _json(500, {"message": "Internal server error or rate limit exceeded"})
            return _json(429, {"message": org.rate_limit_message})
        if org.denied_scopes and path.split("/")[2:3] and path.split("/")[2] in org.denied_scopes:
            return _json(403, {"message": "Forbidden"})  # e.g. an old key without the quotations scope
        rule = self._fault_for(request, path, key)
        if rule is not None and rule.latency_ms:  # a latency rule, or a fault that comes late (a 504 after 30 s)
            time.sleep(rule.latency_ms / 1000)
        if rule is not None and rule.kind == "latency":
            rule = None
        if self.settings.latency_ms:
            time.sleep(self.settings.latency_ms / 1000)
        if rule is not None and not rule.apply_write:
            return fault_response(rule)
        response = self._handle(request, path, org)
        return fault_response(rule) if rule is not None else response

    def _handle(self, request: Request, path: str, org: Organization) -> Response:
        if request.method not in HTTP_OPERATIONS:  # 501 "HTTP operation not supported" (§3)
            return _json(501, {"message": "Not Implemented"})
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match(path, method=request.method)
        except MethodNotAllowed as exc:
            if org.method_status == 405 and not org.legacy_gateway:  # as documented; live answers 404
                error = regular(405, path, f"Request method '{request.method}' is not supported")
                error.headers["Allow"] = ", ".join(sorted(exc.valid_methods or []))
                return _error(error)
            return _unknown_route(request, org)
        except HTTPException:
            return _unknown_route(request, org)
        if request.method == "GET" and endpoint in FILTERS:
            try:
                check_repeats(endpoint, request.args, path)
            except ApiError as exc:
                return _error(exc)
        json_write = request.method in ("POST", "PUT") and endpoint not in ("files", "voucher_files")
        if json_write and request.mimetype != "application/json":
            return _error(regular(415, path, f"Content type '{request.mimetype or ''}' not supported"))
        try:
            with org.lock:
                return getattr(self, f"do_{endpoint}")(request, org, path, **args)
        except ApiError as exc:
            return _error(exc)

    def _fault_for(self, request: Request, path: str, key: str | None) -> FaultRule | None:
        with self.fault_lock:
            for rule in self.faults:
                if rule.api_key and rule.api_key != key:
                    continue
                if rule.method and rule.method.upper() != request.method:
                    continue
                if not rule.path.search(path) or self.rng.random() >= rule.rate:
                    continue
                if rule.count is not None:
                    if rule.count <= 0:
                        continue
                    rule.count -= 1
                return rule
        return None

    # --- handlers ----------------------------------------------------------------------------------

    def do_profile(self, request: Request, org: Organization, path: str) -> Response:
        return _json(
            200,
            {
                "organizationId": org.id,
                "companyName": org.company_name,
                "created": {
                    "userId": str(uuid.uuid5(uuid.NAMESPACE_URL, org.id)),
                    "userName": "Sandbox Nutzer",
                    "userEmail": "sandbox@example.org",
                    "date": "2024-01-15T09:00:00.000+01:00",
                },
                "connectionId": org.connection_id,
                "features": ["cashbox"],
                "businessFeatures": ["INVOICING", "INVOICING_PRO", "BOOKKEEPING"],
                "subscriptionStatus": org.subscription_status,
                "taxType": org.tax_type,
                "smallBusiness": org.small_business,
                **({"distanceSalesPrinciple": org.distance_sales_principle} if org.distance_sales_principle else {}),
            },
        )

    def do_ping(self, request: Request, org: Organization, path: str) -> Response:
        if not org.ping:  # legacy; whether the current gateway still has it is unconfirmed (§1.4)
            return _unknown_route(request, org)
        return _json(200, {"userEmail": "sandbox@example.org"})

    def do_contacts(self, request: Request, org: Organization, path: str) -> Response:
        if request.method == "GET":
            return _json(200, contacts.search(org, request.args.to_dict()))
        contact = contacts.create(org, _body(request, path))
        self.emit(org, "contact.created", contact["id"])
        return _created(contacts.action_result(contact, _base(request), "/v1/contacts"))

    def do_contact(self, request: Request, org: Organization, path: str, cid: str) -> Response:
        if request.method == "GET":
            return _json(200, contacts.ensure_exists(org, cid))
        contact = contacts.update(org, cid, _body(request, path))
        self.emit(org, "contact.changed", cid)
        return _json(200, contacts.action_result(contact, _base(request), "/v1/contacts"))

    def do_vouchers(self, request: Request, org: Organization, path: str) -> Response:
        if request.method == "GET":
            number = request.args.get("voucherNumber")
            if not number:
                raise invalid(400, "voucherNumber", "missing_entity")
            found = vouchers.by_number(org, number)
            envelope = page_of(found, request.args.to_dict(), default_sort=None, legacy_errors=True)
            envelope.pop("sort")
            return _json(200, envelope)
        voucher = vouchers.create(org, _body(request, path))
        self.emit(org, "voucher.created", voucher["id"])
        return _created(contacts.action_result(voucher, _base(request), "/v1/vouchers"))

    def do_voucher(self, request: Request, org: Organization, path: str, vid: str) -> Response:
        if request.method == "GET":
            voucher = org.vouchers.get(vid)
            if voucher is None:
                raise invalid(404, "id", "not_found")
            return _json(200, voucher)
        voucher, status_changed = vouchers.update(org, vid, _body(request, path))
        self.emit(org, "voucher.changed", vid)
        if status_changed:
            self.emit(org, "voucher.status.changed", vid)
        return _json(200, contacts.action_result(voucher, _base(request), "/v1/vouchers"))

    def do_voucher_files(self, request: Request, org: Organization, path: str, vid: str) -> Response:
        return _json(202, files.attach_to_voucher(request, org, vid, self.emit))

    def do_voucherlist(self, request: Request, org: Organization, path: str) -> Response:
        return _json(200, voucherlist(org, request.args.to_dict(), path))

    def _document(self, org: Organization, kind: str, did: str, path: str) -> dict:
        document = org.sales.get(did)
        if document is None or document["_kind"] != sales.KIND_PATHS[kind]:
            raise regular(404, path, "Resource not found")
        return document

    def do_sales_create(self, request: Request, org: Organization, path: str, kind: str) -> Response:
        document, events = sales_create.create(org, kind, _body(request, path), request.args.to_dict(), path)
        for event_type, resource_id in events:
            self.emit(org, event_type, resource_id)
        return _created(contacts.action_result(document, _base(request), f"/v1/{kind}"))

    def do_sales(self, request: Request, org: Organization, path: str, kind: str, did: str) -> Response:
        return _json(200, sales.public(self._document(org, kind, did, path)))

    def do_document(self, request: Request, org: Organization, path: str, kind: str, did: str) -> Response:
        document = self._document(org, kind, did, path)
        if document["voucherStatus"] == "draft":
            raise regular(406, path, "Requesting PDF document is not possible in state draft")
        return _json(200, {"documentFileId": sales.render(org, document)})

    def do_document_file(self, request: Request, org: Organization, path: str, kind: str, did: str) -> Response:
        document = self._document(org, kind, did, path)
        return files.download_document(org, document, request.headers.get("Accept", "*/*"), path)

    def do_articles(self, request: Request, org: Organization, path: str) -> Response:
        if request.method == "GET":
            return _json(200, articles.search(org, request.args.to_dict(), path))
        article = articles.create(org, _body(request, path), path)
        self.emit(org, "article.created", article["id"])
        return _created(contacts.action_result(article, _base(request), "/v1/articles"))

    def do_article(self, request: Request, org: Organization, path: str, aid: str) -> Response:
        if request.method == "GET":
            return _json(200, articles.get(org, aid, path))
        if request.method == "DELETE":
            articles.delete(org, aid, path)
            self.emit(org, "article.deleted", aid)
            return Response(status=204)
        article = articles.update(org, aid, _body(request, path), path)
        self.emit(org, "article.changed", aid)
        return _json(200, contacts.action_result(article, _base(request), "/v1/articles"))

    def do_recurring_templates(self, request: Request, org: Organization, path: str) -> Response:
        return _json(200, recurring.search(org, request.args.to_dict(), path))

    def do_recurring_template(self, request: Request, org: Organization, path: str, tid: str) -> Response:
        return _json(200, recurring.get(org, tid, path))

    def do_files(self, request: Request, org: Organization, path: str) -> Response:
        return _json(202, files.upload_for_bookkeeping(request, org, self.emit))

    def do_file(self, request: Request, org: Organization, path: str, fid: str) -> Response:
        return files.download(org, fid, request.headers.get("Accept", "*/*"))

    def do_file_status(self, request: Request, org: Organization, path: str, fid: str) -> Response:
        if not org.file_status:  # mentioned in the docs, never documented (§14.1); the shape here is ours
            return _unknown_route(request, org)
        stored = org.files.get(fid)
        if stored is None:
            raise invalid(404, "id", "not_found")
        voucher = org.vouchers.get(stored.voucher_id or "") or {}
        return _json(200, {"id": fid, "voucherId": stored.voucher_id, "voucherStatus": voucher.get("voucherStatus")})

    def do_payments(self, request: Request, org: Organization, path: str, vid: str) -> Response:
        return _json(200, masterdata.payments(org, vid, path))

    def do_subscriptions(self, request: Request, org: Organization, path: str) -> Response:
        if request.method == "GET":
            return _json(200, {"content": list(org.subscriptions.values())})
        body = _body(request, path)
        event_type = str(body.get("eventType") or "").lower()
        if event_type not in EVENT_TYPES:
            raise regular(
                406,
                path,
                "Validation failed",
                [{"violation": "INVALID", "field": "eventType", "message": "unbekannter Ereignistyp"}],
            )
        url = body.get("callbackUrl")
        if any(s["eventType"] == event_type and s["callbackUrl"] == url for s in org.subscriptions.values()):
            raise regular(409, path, "Subscription for this event type and callback URL exists already")
        check_callback(url, allow_http=self.settings.allow_http_callbacks, path=path)
        created = now_text()
        subscription = {
            "subscriptionId": str(uuid.uuid4()),
            "organizationId": org.id,
            "createdDate": created,
            "eventType": event_type,
            "callbackUrl": url,
        }
        org.subscriptions[subscription["subscriptionId"]] = subscription
        return _created(
            {
                "id": subscription["subscriptionId"],
                "resourceUri": f"{_base(request)}/v1/event-subscriptions/{subscription['subscriptionId']}",
                "createdDate": created,
                "updatedDate": created,
                "version": 0,
            }
        )

    def do_subscription(self, request: Request, org: Organization, path: str, sid: str) -> Response:
        subscription = org.subscriptions.get(sid)
        if subscription is None:
            raise regular(404, path, "Resource not found")
        if request.method == "GET":
            return _json(200, subscription)
        del org.subscriptions[sid]
        return Response(status=204)

    def do_masterdata(self, request: Request, org: Organization, path: str, name: str) -> Response:
        if name == "posting-categories":
            return _json(200, masterdata.posting_categories(org))
        return _json(200, masterdata.LISTS[name]())


def _unknown_route(request: Request, org: Organization) -> Response:
    if org.legacy_gateway:  # the old gateway's answer to unknown routes and methods (§1.2)
        token = _bearer(request) or ""
        return _json(
            403,
            {
                "message": f"'{token}' not a valid key=value pair (missing equal-sign) in "
                f"Authorization header: 'Bearer {token}'."
            },
        )
    return _json(404, {"message": "Not Found"})


def _bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer ") and len(header) > 7:
        return header[7:].strip()
    return None


def _base(request: Request) -> str:
    return request.host_url.rstrip("/")


def _json(status: int, body: object, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)


def _created(result: dict) -> Response:
    return _json(201, result, {"Location": result["resourceUri"]})


def _error(exc: ApiError) -> Response:
    if exc.body is None:
        return Response(b"", status=exc.status, headers=exc.headers)
    return _json(exc.status, exc.body, exc.headers)


def _body(request: Request, path: str) -> dict:
    try:
        body = json.loads(request.get_data() or b"null")
    except ValueError:
        raise regular(400, path, "JSON parse error") from None
    if not isinstance(body, dict):
        raise regular(400, path, "Required request body is missing")
    return body
