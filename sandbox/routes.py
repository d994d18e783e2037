"""The sandbox's /v1 routes: which URL goes to which handler, and the handlers (one `do_<endpoint>` each) that
answer from an organization's store. The gateway in front of them (auth, rate limit, faults) is app.py."""

import json
import uuid

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from sandbox import articles, contacts, files, masterdata, recurring, sales, sales_create, vouchers
from sandbox.clock import now_text
from sandbox.errors import ApiError, invalid, regular
from sandbox.paging import page_of
from sandbox.store import Organization
from sandbox.voucherlist import voucherlist
from sandbox.webhooks import EVENT_TYPES, check_callback

KINDS = ",".join(f'"{kind}"' for kind in sales.KIND_PATHS)
CREATABLE = ",".join(f'"{kind}"' for kind in sales_create.CREATABLE)


def url_rules() -> list[Rule]:
    """Fresh rules for each Sandbox's map (a werkzeug Rule belongs to one map)."""
    return [
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
    ]


class ApiRoutes:
    """The handlers, mixed into Sandbox (which provides `emit` and `settings`): each gets the request, the
    caller's organization (locked while it runs), the path and the URL's arguments."""

    def do_profile(self, request: Request, org: Organization, path: str) -> Response:
        return json_response(
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
            return unknown_route(request, org)
        return json_response(200, {"userEmail": "sandbox@example.org"})

    def do_contacts(self, request: Request, org: Organization, path: str) -> Response:
        if request.method == "GET":
            return json_response(200, contacts.search(org, request.args.to_dict()))
        contact = contacts.create(org, json_body(request, path))
        self.emit(org, "contact.created", contact["id"])
        return created_response(contacts.action_result(contact, base_url(request), "/v1/contacts"))

    def do_contact(self, request: Request, org: Organization, path: str, cid: str) -> Response:
        if request.method == "GET":
            return json_response(200, contacts.ensure_exists(org, cid))
        contact = contacts.update(org, cid, json_body(request, path))
        self.emit(org, "contact.changed", cid)
        return json_response(200, contacts.action_result(contact, base_url(request), "/v1/contacts"))

    def do_vouchers(self, request: Request, org: Organization, path: str) -> Response:
        if request.method == "GET":
            number = request.args.get("voucherNumber")
            if not number:
                raise invalid(400, "voucherNumber", "missing_entity")
            found = vouchers.by_number(org, number)
            envelope = page_of(found, request.args.to_dict(), default_sort=None, legacy_errors=True)
            envelope.pop("sort")
            return json_response(200, envelope)
        voucher = vouchers.create(org, json_body(request, path))
        self.emit(org, "voucher.created", voucher["id"])
        return created_response(contacts.action_result(voucher, base_url(request), "/v1/vouchers"))

    def do_voucher(self, request: Request, org: Organization, path: str, vid: str) -> Response:
        if request.method == "GET":
            voucher = org.vouchers.get(vid)
            if voucher is None:
                raise invalid(404, "id", "not_found")
            return json_response(200, voucher)
        voucher, status_changed = vouchers.update(org, vid, json_body(request, path))
        self.emit(org, "voucher.changed", vid)
        if status_changed:
            self.emit(org, "voucher.status.changed", vid)
        return json_response(200, contacts.action_result(voucher, base_url(request), "/v1/vouchers"))

    def do_voucher_files(self, request: Request, org: Organization, path: str, vid: str) -> Response:
        return json_response(202, files.attach_to_voucher(request, org, vid, self.emit))

    def do_voucherlist(self, request: Request, org: Organization, path: str) -> Response:
        return json_response(200, voucherlist(org, request.args.to_dict(), path))

    def _document(self, org: Organization, kind: str, did: str, path: str) -> dict:
        document = org.sales.get(did)
        if document is None or document["_kind"] != sales.KIND_PATHS[kind]:
            raise regular(404, path, "Resource not found")
        return document

    def do_sales_create(self, request: Request, org: Organization, path: str, kind: str) -> Response:
        document, events = sales_create.create(org, kind, json_body(request, path), request.args.to_dict(), path)
        for event_type, resource_id in events:
            self.emit(org, event_type, resource_id)
        return created_response(contacts.action_result(document, base_url(request), f"/v1/{kind}"))

    def do_sales(self, request: Request, org: Organization, path: str, kind: str, did: str) -> Response:
        return json_response(200, sales.public(self._document(org, kind, did, path)))

    def do_document(self, request: Request, org: Organization, path: str, kind: str, did: str) -> Response:
        document = self._document(org, kind, did, path)
        if document["voucherStatus"] == "draft" and document["_kind"] != "dunning":  # dunnings are always drafts
            raise regular(406, path, "Requesting PDF document is not possible in state draft")
        return json_response(200, {"documentFileId": sales.render(org, document)})

    def do_document_file(self, request: Request, org: Organization, path: str, kind: str, did: str) -> Response:
        document = self._document(org, kind, did, path)
        return files.download_document(org, document, request.headers.get("Accept", "*/*"), path)

    def do_articles(self, request: Request, org: Organization, path: str) -> Response:
        if request.method == "GET":
            return json_response(200, articles.search(org, request.args.to_dict(), path))
        article = articles.create(org, json_body(request, path), path)
        self.emit(org, "article.created", article["id"])
        return created_response(contacts.action_result(article, base_url(request), "/v1/articles"))

    def do_article(self, request: Request, org: Organization, path: str, aid: str) -> Response:
        if request.method == "GET":
            return json_response(200, articles.get(org, aid, path))
        if request.method == "DELETE":
            articles.delete(org, aid, path)
            self.emit(org, "article.deleted", aid)
            return Response(status=204)
        article = articles.update(org, aid, json_body(request, path), path)
        self.emit(org, "article.changed", aid)
        return json_response(200, contacts.action_result(article, base_url(request), "/v1/articles"))

    def do_recurring_templates(self, request: Request, org: Organization, path: str) -> Response:
        return json_response(200, recurring.search(org, request.args.to_dict(), path))

    def do_recurring_template(self, request: Request, org: Organization, path: str, tid: str) -> Response:
        return json_response(200, recurring.get(org, tid, path))

    def do_files(self, request: Request, org: Organization, path: str) -> Response:
        return json_response(202, files.upload_for_bookkeeping(request, org, self.emit))

    def do_file(self, request: Request, org: Organization, path: str, fid: str) -> Response:
        return files.download(org, fid, request.headers.get("Accept", "*/*"))

    def do_file_status(self, request: Request, org: Organization, path: str, fid: str) -> Response:
        if not org.file_status:  # mentioned in the docs, never documented (§14.1); the shape here is ours
            return unknown_route(request, org)
        stored = org.files.get(fid)
        if stored is None:
            raise invalid(404, "id", "not_found")
        voucher = org.vouchers.get(stored.voucher_id or "") or {}
        return json_response(
            200, {"id": fid, "voucherId": stored.voucher_id, "voucherStatus": voucher.get("voucherStatus")}
        )

    def do_payments(self, request: Request, org: Organization, path: str, vid: str) -> Response:
        return json_response(200, masterdata.payments(org, vid, path))

    def do_subscriptions(self, request: Request, org: Organization, path: str) -> Response:
        if request.method == "GET":
            return json_response(200, {"content": list(org.subscriptions.values())})
        body = json_body(request, path)
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
        return created_response(
            {
                "id": subscription["subscriptionId"],
                "resourceUri": f"{base_url(request)}/v1/event-subscriptions/{subscription['subscriptionId']}",
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
            return json_response(200, subscription)
        del org.subscriptions[sid]
        return Response(status=204)

    def do_masterdata(self, request: Request, org: Organization, path: str, name: str) -> Response:
        if name == "posting-categories":
            return json_response(200, masterdata.posting_categories(org))
        return json_response(200, masterdata.LISTS[name]())


def unknown_route(request: Request, org: Organization) -> Response:
    if org.legacy_gateway:  # the old gateway's answer to unknown routes and methods (§1.2)
        token = bearer_key(request) or ""
        return json_response(
            403,
            {
                "message": f"'{token}' not a valid key=value pair (missing equal-sign) in "
                f"Authorization header: 'Bearer {token}'."
            },
        )
    return json_response(404, {"message": "Not Found"})


def bearer_key(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer ") and len(header) > 7:
        return header[7:].strip()
    return None


def base_url(request: Request) -> str:
    return request.host_url.rstrip("/")


def json_response(status: int, body: object, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)


def created_response(result: dict) -> Response:
    return json_response(201, result, {"Location": result["resourceUri"]})


def error_response(exc: ApiError) -> Response:
    if exc.body is None:
        return Response(b"", status=exc.status, headers=exc.headers)
    return json_response(exc.status, exc.body, exc.headers)


def json_body(request: Request, path: str) -> dict:
    try:
        body = json.loads(request.get_data() or b"null")
    except ValueError:
        raise regular(400, path, "JSON parse error") from None
    if not isinstance(body, dict):
        raise regular(400, path, "Required request body is missing")
    return body
