"""Schemathesis against the OpenAPI schema, in process over WSGI: bounded examples per operation, a fixed
seed, valid and invalid inputs; 0 server errors, 0 responses that break the schema."""

import os
import socket
import uuid
from collections.abc import Callable

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from connections.models import AuditLog, SyncRun
from contacts.models import Contact
from tests.api.conftest import token_client
from vouchers.models import File, Upload, Voucher
from webhooks.models import WebhookEvent

EXAMPLES_PER_OPERATION = int(os.environ.get("LEXHUB_FUZZ_EXAMPLES", "12"))  # more for a deeper local run
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


def loopback_only(real: Callable) -> Callable:
    """getaddrinfo that refuses every host but loopback: fuzzed base URLs (POST /connections/) and the
    default Lexoffice host must never be contacted from a test."""

    def resolve(host: object, *args: object, **kwargs: object) -> list:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in ("localhost", "::1") and not name.startswith("127."):
            raise socket.gaierror(socket.EAI_NONAME, f"test guard: {name} is not a loopback host")
        return real(host, *args, **kwargs)

    return resolve


@pytest.fixture
def fuzz_world(connection, media, settings, monkeypatch):
    """A few mirrored rows of each kind, so lists and details answer with data; loopback only."""
    monkeypatch.setattr(socket, "getaddrinfo", loopback_only(socket.getaddrinfo))
    settings.LEXOFFICE_API_BASE_URL = connection.base_url  # an empty baseUrl means the sandbox here
    settings.LEXOFFICE_RATE_LIMIT = 1000  # key checks use the default budget; the sandbox does not limit
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "100000/hour"}}
    contact = Contact.objects.create(
        connection=connection,
        lexoffice_id=uuid.uuid4(),
        name="Fuzz GmbH",
        is_customer=True,
        version=1,
        raw={"roles": {"customer": {"number": 10001}}, "version": 1, "company": {"name": "Fuzz GmbH"}},
    )
    voucher = Voucher.objects.create(
        connection=connection,
        lexoffice_id=uuid.uuid4(),
        voucher_type="purchaseinvoice",
        voucher_status="open",
        voucher_number="ER-1",
        contact=contact,
        total_amount=1,
    )
    file = File.objects.create(connection=connection, lexoffice_id=uuid.uuid4(), voucher=voucher)
    Upload.objects.create(
        connection=connection,
        original_name="a.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        content="uploads/a.pdf",
        file=file,
        voucher=voucher,
        state="linked",
    )
    SyncRun.objects.create(connection=connection, kind="full", state="succeeded")
    WebhookEvent.objects.create(
        connection=connection,
        event_type="contact.changed",
        resource_id=str(contact.pk),
        event_date="2026-11-25T08:00:00.000+01:00",
        state="dead",
    )
    AuditLog.objects.create(
        connection=connection, action="create_contact", method="POST", path="/v1/contacts", result="sent", status=200
    )
    # As Django's test client does: a request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def load_schema() -> schemathesis.BaseSchema:
    from django.core.wsgi import get_wsgi_application  # the app itself; lexhub.wsgi also checks keys at start

    loaded = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    loaded.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=EXAMPLES_PER_OPERATION,
        deterministic=True,
        database="none",
    )
    return loaded


schema = load_schema()  # the schema view needs no database, so it loads while tests are collected


@pytest.mark.django_db
@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
@hypothesis.seed(20261125)
def test_the_api_keeps_its_schema_under_fuzzing(case, fuzz_world, alice, django_capture_on_commit_callbacks) -> None:
    headers = getattr(test_the_api_keeps_its_schema_under_fuzzing, "_headers", None)
    if headers is None or headers[0] != alice.pk:
        token = token_client(alice)._credentials["HTTP_AUTHORIZATION"]
        headers = (alice.pk, {"Authorization": token})
        test_the_api_keeps_its_schema_under_fuzzing._headers = headers
    with django_capture_on_commit_callbacks(execute=False):
        case.call_and_validate(headers=headers[1], checks=CHECKS)
