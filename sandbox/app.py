"""The sandbox WSGI application: gateway behaviour (auth, rate limit, faults, errors) in front of the /v1 routes
(routes.py); /_sandbox/ goes to the control API (control.py)."""

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from sandbox.clock import now_text
from sandbox.errors import ApiError, regular
from sandbox.faults import FaultRule, fault_response
from sandbox.paging import FILTERS, check_repeats
from sandbox.routes import ApiRoutes, bearer_key, error_response, json_response, unknown_route, url_rules
from sandbox.store import Bucket, LoggedRequest, Organization, RequestLog, fingerprint
from sandbox.webhooks import Dispatcher, Signer

HTTP_OPERATIONS = ("GET", "HEAD", "POST", "PUT", "DELETE")  # all the API uses anywhere


@dataclass
class Settings:
    allow_http_callbacks: bool = False
    latency_ms: int = 0
    default_rate: float = 2.0
    default_burst: int = 2


@dataclass
class Sandbox(ApiRoutes):
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
        self.url_map = Map(url_rules(), strict_slashes=False)

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
        key = bearer_key(request)
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
            return json_response(401, {"message": "Unauthorized"})
        if org.key_status == "no_plan":
            return json_response(402, {"message": "Payment Required"})
        if org.key_status == "forbidden":
            return json_response(403, {"message": "Forbidden"})
        if not org.bucket.take():
            if org.rate_limit_mode == "500":
                return json_response(500, {"message": "Internal server error or rate limit exceeded"})
            return json_response(429, {"message": org.rate_limit_message})
        if org.denied_scopes and path.split("/")[2:3] and path.split("/")[2] in org.denied_scopes:
            return json_response(403, {"message": "Forbidden"})  # e.g. an old key without the quotations scope
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
            return json_response(501, {"message": "Not Implemented"})
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match(path, method=request.method)
        except MethodNotAllowed as exc:
            if org.method_status == 405 and not org.legacy_gateway:  # as documented; live answers 404
                error = regular(405, path, f"Request method '{request.method}' is not supported")
                error.headers["Allow"] = ", ".join(sorted(exc.valid_methods or []))
                return error_response(error)
            return unknown_route(request, org)
        except HTTPException:
            return unknown_route(request, org)
        if request.method == "GET" and endpoint in FILTERS:
            try:
                check_repeats(endpoint, request.args, path)
            except ApiError as exc:
                return error_response(exc)
        json_write = request.method in ("POST", "PUT") and endpoint not in ("files", "voucher_files")
        if json_write and request.mimetype != "application/json":
            return error_response(regular(415, path, f"Content type '{request.mimetype or ''}' not supported"))
        try:
            with org.lock:
                return getattr(self, f"do_{endpoint}")(request, org, path, **args)
        except ApiError as exc:
            return error_response(exc)

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
