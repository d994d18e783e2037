"""Every endpoint of the schema x {anonymous, owner, other user, staff}: 100 % of cells as expected,
0 foreign rows in any list, foreign ids 404, foreign connections refused in bodies."""

from dataclasses import dataclass, field
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from knox.models import AuthToken
from rest_framework.test import APIClient

from connections.models import AuditLog, SyncRun
from connections.sync import run_sync
from contacts.models import Contact
from harness.einvoice_xml import cii
from harness.einvoices import Sample, zugferd_pdf
from invoices.models import SalesDocument
from reports import package
from reports.openitems import open_items
from tests.api.conftest import token_client
from tests.api.test_vouchers import VOUCHER
from tests.payloads import NEW_COMPANY
from tests.writes import files
from vouchers.models import File, Upload, Voucher
from webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db
PERSONAS = ("anonymous", "other", "staff", "owner")  # the owner last: its writes change the data


@dataclass
class Case:
    method: str
    template: str  # as in the schema
    path: str
    body: object = None
    format: str = "json"
    owner: int = 200
    stranger: int = 404  # other user and staff
    owner_code: str | None = None  # the error code when the owner's expected answer is an error
    is_list: bool = False
    callers_rows: bool = False  # a list of the caller's own records (API tokens), whoever calls
    extra: dict = field(default_factory=dict)


@pytest.fixture
def world(sandbox_server, alice, media, django_capture_on_commit_callbacks, settings):
    from connections.services import create_connection
    from intake.models import IntakeItem, Mailbox, WatchedFolder
    from outgoing.models import Delivery, Event
    from outgoing.services import create_endpoint

    org = sandbox_server.new_org(contacts=5, vouchers=12, invoices=15, seed=9)
    with django_capture_on_commit_callbacks(execute=False):
        connection = create_connection(
            name="Books", api_key=org.api_key, owner=alice, base_url=org.base_url, rate_limit=1000
        )
        spare = create_connection(
            name="Spare", api_key=org.api_key, owner=alice, base_url=org.base_url, rate_limit=1000
        )
    run = SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL)
    run_sync(run_id=run.pk)
    owner = token_client(alice)
    uploaded = owner.post(
        "/api/v1/uploads/",
        {"connection": connection.pk, "file": SimpleUploadedFile("setup.pdf", files.pdf("setup"))},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content
    einvoice = owner.post(
        "/api/v1/uploads/",
        {"connection": connection.pk, "file": SimpleUploadedFile("zugferd.pdf", zugferd_pdf(cii(Sample())))},
        format="multipart",
    )
    assert einvoice.status_code == 201, einvoice.content
    event = WebhookEvent.objects.create(
        connection=connection,
        event_type="contact.changed",
        resource_id="00000000-0000-4000-8000-000000000001",
        event_date="2026-11-25T08:00:00.000+01:00",
        state="dead",
    )
    spare_token = AuthToken.objects.create(user=alice)[0]
    year = (
        Voucher.objects.filter(connection=connection, voucher_date__isnull=False)
        .latest("voucher_date")
        .voucher_date.year
    )
    export = package.start_export(
        connection=connection, user=alice, start=date(year, 1, 1), end=date(year, 12, 31), chart="SKR03"
    )
    package.run_export(export.pk)
    settings.LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # nothing listens: nothing is sent
    endpoint, spare_endpoint = (
        create_endpoint(connection=connection, user=alice, url="http://127.0.0.1:9/hooks", event_types=["*"]).endpoint
        for _ in range(2)
    )
    outgoing_event = Event.objects.create(connection=connection, event_type="contact.changed")
    settings.LEXHUB_INTAKE_ROOT = media / "intake"
    settings.LEXHUB_INTAKE_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # nothing listens on port 9 either
    for name in ("books", "spare", "other"):
        (media / "intake" / name).mkdir(parents=True)
    mailbox = Mailbox(connection=connection, host="127.0.0.1", port=9, username="belege")
    mailbox.set_password("secret")
    mailbox.save()
    spare_mailbox = Mailbox(connection=spare, host="127.0.0.1", port=9, username="spare")
    spare_mailbox.set_password("secret")
    spare_mailbox.save()
    folder = WatchedFolder.objects.create(connection=connection, path="books")
    spare_folder = WatchedFolder.objects.create(connection=spare, path="spare")
    item = IntakeItem.objects.create(
        connection=connection, source="folder", source_key="a.pdf:1:1", message_key="a.pdf", filename="a.pdf"
    )
    delivery = Delivery.objects.create(event=outgoing_event, endpoint=endpoint)
    return {
        "org": org,
        "connection": connection,
        "spare": spare,
        "run": run,
        "event": event,
        "token": spare_token,
        "export": export,
        "year": year,
        "endpoint": endpoint,
        "spare_endpoint": spare_endpoint,
        "delivery": delivery,
        "mailbox": mailbox,
        "spare_mailbox": spare_mailbox,
        "folder": folder,
        "spare_folder": spare_folder,
        "item": item,
    }


def cases(world: dict) -> list[Case]:
    connection, spare = world["connection"], world["spare"]
    contact = Contact.objects.filter(connection=connection).first()
    voucher = Voucher.objects.filter(connection=connection, voucher_type="purchaseinvoice").first()
    einvoice_voucher = Upload.objects.get(connection=connection, original_name="zugferd.pdf").voucher_id
    file = File.objects.filter(connection=connection).exclude(voucher=None).first()
    document = SalesDocument.objects.filter(connection=connection).exclude(voucher_status="draft").first()
    upload = Upload.objects.filter(connection=connection).first()
    audit = AuditLog.objects.filter(connection=connection).first()
    xml_owner = 200 if document.is_xrechnung else 404
    overdue = next(
        item
        for item in open_items(connection_ids=[connection.pk], direction="receivable")
        if item.voucher_type == "invoice" and item.effective_due.date() < date.today()
    )
    export, year = world["export"], world["year"]
    c, v = connection.pk, "/api/v1"
    endpoint, delivery = world["endpoint"].pk, world["delivery"].pk
    return [
        Case("GET", f"{v}/audit-log/", f"{v}/audit-log/", is_list=True),
        Case("GET", f"{v}/audit-log/{{id}}/", f"{v}/audit-log/{audit.pk}/"),
        Case("GET", f"{v}/connections/", f"{v}/connections/", is_list=True),
        Case("GET", f"{v}/connections/{{id}}/", f"{v}/connections/{c}/"),
        Case(
            "POST",
            f"{v}/connections/{{id}}/api-call/",
            f"{v}/connections/{c}/api-call/",
            {"method": "GET", "path": "/v1/profile"},
        ),
        Case("POST", f"{v}/connections/{{id}}/key/", f"{v}/connections/{c}/key/", {"apiKey": world["org"].api_key}),
        Case("POST", f"{v}/connections/{{id}}/sync/", f"{v}/connections/{c}/sync/", {"kind": "incremental"}, owner=202),
        Case("POST", f"{v}/connections/{{id}}/verify/", f"{v}/connections/{c}/verify/"),
        Case("POST", f"{v}/connections/{{id}}/webhooks/", f"{v}/connections/{c}/webhooks/", owner=202),
        Case("GET", f"{v}/contacts/", f"{v}/contacts/", is_list=True),
        Case("GET", f"{v}/contacts/{{id}}/", f"{v}/contacts/{contact.pk}/"),
        Case("PUT", f"{v}/contacts/{{id}}/", f"{v}/contacts/{contact.pk}/", {**contact.raw, "note": "matrix"}),
        Case("GET", f"{v}/files/", f"{v}/files/", is_list=True),
        Case("GET", f"{v}/files/{{id}}/", f"{v}/files/{file.pk}/"),
        Case("GET", f"{v}/files/{{id}}/download/", f"{v}/files/{file.pk}/download/"),
        Case("GET", f"{v}/sales-documents/", f"{v}/sales-documents/", is_list=True),
        Case("GET", f"{v}/sales-documents/{{id}}/", f"{v}/sales-documents/{document.pk}/"),
        Case("GET", f"{v}/sales-documents/{{id}}/pdf/", f"{v}/sales-documents/{document.pk}/pdf/"),
        Case("POST", f"{v}/sales-documents/{{id}}/render/", f"{v}/sales-documents/{document.pk}/render/"),
        Case(
            "GET",
            f"{v}/sales-documents/{{id}}/xml/",
            f"{v}/sales-documents/{document.pk}/xml/",
            owner=xml_owner,
            owner_code=None if xml_owner == 200 else "write_error",
        ),
        Case("GET", f"{v}/sync-runs/", f"{v}/sync-runs/", is_list=True),
        Case("GET", f"{v}/sync-runs/{{id}}/", f"{v}/sync-runs/{world['run'].pk}/"),
        Case("GET", f"{v}/uploads/", f"{v}/uploads/", is_list=True),
        Case("GET", f"{v}/uploads/{{id}}/", f"{v}/uploads/{upload.pk}/"),
        Case("GET", f"{v}/vouchers/", f"{v}/vouchers/", is_list=True),
        Case("GET", f"{v}/vouchers/{{id}}/", f"{v}/vouchers/{voucher.pk}/"),
        Case("GET", f"{v}/vouchers/{{id}}/e-invoice/", f"{v}/vouchers/{einvoice_voucher}/e-invoice/"),
        Case(
            "POST", f"{v}/vouchers/{{id}}/files/", f"{v}/vouchers/{voucher.pk}/files/", "file", "multipart", owner=201
        ),
        Case("GET", f"{v}/webhook-events/", f"{v}/webhook-events/", is_list=True),
        Case("GET", f"{v}/webhook-events/{{id}}/", f"{v}/webhook-events/{world['event'].pk}/"),
        Case(
            "POST", f"{v}/webhook-events/{{id}}/replay/", f"{v}/webhook-events/{world['event'].pk}/replay/", owner=202
        ),
        Case("GET", f"{v}/open-items/", f"{v}/open-items/", is_list=True),
        Case("GET", f"{v}/open-items/summary/", f"{v}/open-items/summary/", stranger=200),  # zeros for them
        Case("GET", f"{v}/open-items/{{id}}/", f"{v}/open-items/{overdue.pk}/"),
        Case("POST", f"{v}/open-items/{{id}}/dunning/", f"{v}/open-items/{overdue.pk}/dunning/", {}, owner=201),
        Case("GET", f"{v}/period-exports/", f"{v}/period-exports/", is_list=True),
        Case("GET", f"{v}/period-exports/{{id}}/", f"{v}/period-exports/{export.pk}/"),
        Case("GET", f"{v}/period-exports/{{id}}/zip/", f"{v}/period-exports/{export.pk}/zip/"),
        Case("GET", f"{v}/period-exports/mapping/{{connection_id}}/", f"{v}/period-exports/mapping/{c}/"),
        Case(
            "PUT",
            f"{v}/period-exports/mapping/{{connection_id}}/",
            f"{v}/period-exports/mapping/{c}/",
            [{"chart": "SKR03", "categoryId": "sales:net", "account": "8400"}],
        ),
        Case(
            "POST",
            f"{v}/period-exports/",
            f"{v}/period-exports/",
            {"connection": c, "start": f"{year}-01-01", "end": f"{year}-12-31"},
            owner=201,
            stranger=400,
        ),
        Case("GET", f"{v}/webhook-endpoints/", f"{v}/webhook-endpoints/", is_list=True),
        Case("GET", f"{v}/webhook-endpoints/{{id}}/", f"{v}/webhook-endpoints/{endpoint}/"),
        Case(
            "POST",
            f"{v}/webhook-endpoints/{{id}}/enabled/",
            f"{v}/webhook-endpoints/{endpoint}/enabled/",
            {"enabled": True},
        ),
        Case(
            "POST", f"{v}/webhook-endpoints/{{id}}/rotate-secret/", f"{v}/webhook-endpoints/{endpoint}/rotate-secret/"
        ),
        Case(
            "POST",
            f"{v}/webhook-endpoints/{{id}}/replay/",
            f"{v}/webhook-endpoints/{endpoint}/replay/",
            {"since": "2026-01-01T00:00:00Z"},
            owner=202,
        ),
        Case(
            "DELETE",
            f"{v}/webhook-endpoints/{{id}}/",
            f"{v}/webhook-endpoints/{world['spare_endpoint'].pk}/",
            owner=204,
        ),
        Case("GET", f"{v}/webhook-deliveries/", f"{v}/webhook-deliveries/", is_list=True),
        Case("GET", f"{v}/webhook-deliveries/{{id}}/", f"{v}/webhook-deliveries/{delivery}/"),
        Case("POST", f"{v}/webhook-deliveries/{{id}}/replay/", f"{v}/webhook-deliveries/{delivery}/replay/", owner=202),
        Case(
            "POST",
            f"{v}/webhook-endpoints/",
            f"{v}/webhook-endpoints/",
            {"connection": c, "url": "http://127.0.0.1:9/other", "eventTypes": ["contact.*"]},
            owner=201,
            stranger=400,
        ),
        Case("GET", f"{v}/intake/items/", f"{v}/intake/items/", is_list=True),
        Case("GET", f"{v}/intake/items/{{id}}/", f"{v}/intake/items/{world['item'].pk}/"),
        *door_cases(world, "mailboxes", {"host": "127.0.0.1", "port": 9, "username": "neu", "password": "x"}),
        *door_cases(world, "folders", {"path": "other"}),
        # Creates name a connection in the body: a foreign one is a field error, not a 404.
        Case("POST", f"{v}/contacts/", f"{v}/contacts/", {**NEW_COMPANY, "connection": c}, owner=201, stranger=400),
        Case("POST", f"{v}/vouchers/", f"{v}/vouchers/", {**VOUCHER, "connection": c}, owner=201, stranger=400),
        Case("POST", f"{v}/uploads/", f"{v}/uploads/", "upload", "multipart", owner=201, stranger=400),
        Case("DELETE", f"{v}/connections/{{id}}/", f"{v}/connections/{spare.pk}/", owner=204),
        # API tokens: everyone lists and creates their own; only the owner revokes the owner's.
        Case("GET", f"{v}/tokens/", f"{v}/tokens/", is_list=True, callers_rows=True),
        Case("POST", f"{v}/tokens/", f"{v}/tokens/", owner=201, stranger=201),
        Case("DELETE", f"{v}/tokens/{{tokenKey}}/", f"{v}/tokens/{world['token'].token_key}/", owner=204),
        # Anyone signed in may connect an account of their own.
        Case(
            "POST",
            f"{v}/connections/",
            f"{v}/connections/",
            {"name": "Own", "apiKey": world["org"].api_key, "baseUrl": world["org"].base_url},
            owner=201,
            stranger=201,
        ),
    ]


def door_cases(world: dict, kind: str, fields: dict) -> list[Case]:
    """An intake door (mailbox or watched folder): one per connection, so the spare connection's is
    removed before it gets a new one."""
    v, c, spare = "/api/v1/intake", world["connection"].pk, world["spare"].pk
    own, spares = (
        (world["mailbox"], world["spare_mailbox"]) if kind == "mailboxes" else (world["folder"], world["spare_folder"])
    )
    return [
        Case("GET", f"{v}/{kind}/", f"{v}/{kind}/", is_list=True),
        Case("GET", f"{v}/{kind}/{{id}}/", f"{v}/{kind}/{own.pk}/"),
        Case("PUT", f"{v}/{kind}/{{id}}/", f"{v}/{kind}/{own.pk}/", {**fields, "connection": c}),
        Case("PATCH", f"{v}/{kind}/{{id}}/", f"{v}/{kind}/{own.pk}/", {"enabled": False}),
        Case("DELETE", f"{v}/{kind}/{{id}}/", f"{v}/{kind}/{spares.pk}/", owner=204),
        Case("POST", f"{v}/{kind}/", f"{v}/{kind}/", {**fields, "connection": spare}, owner=201, stranger=400),
    ]


def body_for(case: Case, persona: str, world: dict) -> object:
    seed = PERSONAS.index(persona) + 20
    if case.body == "file":
        return {"file": SimpleUploadedFile("anhang.pdf", files.pdf(f"anhang {persona}"))}
    if case.body == "upload":
        return {"connection": world["connection"].pk, "file": SimpleUploadedFile("r.png", files.png(seed=seed))}
    if isinstance(case.body, dict) and case.method == "POST" and case.template.endswith("/connections/"):
        return {**case.body, "name": f"Own {persona}"}
    return case.body


def clients(alice, bob, staff) -> dict[str, APIClient]:
    return {
        "anonymous": APIClient(),
        "other": token_client(bob),
        "staff": token_client(staff),
        "owner": token_client(alice),
    }


def rows_of(response) -> list[dict]:
    body = response.json()
    return body if isinstance(body, list) else body["results"]


def test_every_endpoint_answers_every_persona_as_expected(
    world, alice, bob, staff, django_capture_on_commit_callbacks
) -> None:
    schema = APIClient().get("/api/schema/?format=json").json()
    documented = {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    matrix = cases(world)
    assert {(case.method, case.template) for case in matrix} == documented

    personas = clients(alice, bob, staff)
    users = {"other": bob, "staff": staff, "owner": alice}
    own_connections = {world["connection"].pk, world["spare"].pk}
    failures, cells, foreign_rows = [], 0, 0
    for persona in PERSONAS:
        client = personas[persona]
        for case in matrix:
            stranger = 200 if case.is_list else case.stranger  # a list answers, with none of the owner's rows
            expected = 401 if persona == "anonymous" else case.owner if persona == "owner" else stranger
            with django_capture_on_commit_callbacks(execute=False):
                response = getattr(client, case.method.lower())(
                    case.path, body_for(case, persona, world), format=case.format
                )
            cells += 1
            if response.status_code != expected:
                failures.append(
                    f"{persona} {case.method} {case.path}: {response.status_code} != {expected} "
                    f"{response.content[:200]!r}"
                )
                continue
            if expected >= 400:
                wanted = (
                    case.owner_code
                    if persona == "owner" and case.owner_code
                    else {401: "not_authenticated", 404: "not_found", 400: "invalid"}[expected]
                )
                if response.json().get("code") != wanted:
                    failures.append(f"{persona} {case.method} {case.path}: code {response.json().get('code')}")
            if case.is_list and expected == 200:
                rows = rows_of(response)
                if case.callers_rows:
                    own = set(AuthToken.objects.filter(user=users[persona]).values_list("token_key", flat=True))
                    foreign_rows += sum(row["tokenKey"] not in own for row in rows)
                    if not rows:
                        failures.append(f"{persona} {case.path}: empty list")
                elif persona == "owner":
                    owned = [row for row in rows if row.get("connection", row.get("id")) in own_connections]
                    foreign_rows += len(rows) - len(owned)
                    if not rows:
                        failures.append(f"owner {case.path}: empty list")
                else:
                    foreign_rows += len(rows)
    assert failures == [], "\n".join(failures)
    assert foreign_rows == 0
    assert cells == len(documented) * len(PERSONAS)
