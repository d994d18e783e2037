"""Upgrades keep data: a database made before the connection models moved out of the lexhub app (to
connections/) migrates forward with `migrate`, every row intact and readable through today's models."""

import uuid

import pytest
from django.db import connection as db
from django.db.migrations.executor import MigrationExecutor

from connections.models import Connection, OutboxEntry, SyncRun
from contacts.models import Contact

# The newest migrations of the release before the move.
BEFORE_THE_MOVE = [
    ("lexhub", "0002_search_trigram_indexes"),
    ("connections", None),
    ("contacts", "0004_vacuum_after_search_text"),
    ("vouchers", "0003_number_indexes_per_list"),
    ("invoices", "0001_initial"),
    ("webhooks", "0001_initial"),
]
TABLES = [
    "lexhub_connection",
    "lexhub_connection_members",
    "lexhub_syncrun",
    "lexhub_auditlog",
    "lexhub_outboxentry",
    "contacts_contact",
    "vouchers_voucher",
    "invoices_salesdocument",
    "webhooks_webhookevent",
]


def migrate(targets) -> None:
    executor = MigrationExecutor(db)
    executor.loader.build_graph()
    executor.migrate(targets)


def rows() -> dict[str, list[tuple]]:
    with db.cursor() as cursor:
        dump = {}
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1, 2")
            dump[table] = [tuple(str(value) for value in row) for row in cursor.fetchall()]
        return dump


def fill_the_old_schema() -> dict[str, int]:
    old = MigrationExecutor(db).loader.project_state([node for node in BEFORE_THE_MOVE if node[1]]).apps
    user = old.get_model("auth", "User").objects.create(username="owner-before-the-move")
    member = old.get_model("auth", "User").objects.create(username="member-before-the-move")
    connection = old.get_model("lexhub", "Connection").objects.create(
        name="Books",
        owner=user,
        api_key_encrypted="token",
        base_url="",
        company_name="Beispiel GmbH",
        profile={"organizationId": "x"},
        webhook_token="t" * 40,
    )
    connection.members.add(member)
    old.get_model("lexhub", "SyncRun").objects.create(
        connection=connection, kind="full", state="succeeded", counts={"contacts": {"created": 1}}
    )
    old.get_model("lexhub", "AuditLog").objects.create(
        connection=connection, user=user, action="api_call", path="/v1/profile", result="ok"
    )
    old.get_model("lexhub", "OutboxEntry").objects.create(
        connection=connection, user=user, operation="create_contact", payload={"a": 1}, idempotency_key=uuid.uuid4()
    )
    contact = old.get_model("contacts", "Contact").objects.create(
        connection=connection, lexoffice_id=uuid.uuid4(), name="Müller"
    )
    voucher = old.get_model("vouchers", "Voucher").objects.create(
        connection=connection, lexoffice_id=uuid.uuid4(), voucher_type="invoice", voucher_status="open", contact=contact
    )
    old.get_model("invoices", "SalesDocument").objects.create(
        connection=connection, lexoffice_id=uuid.uuid4(), voucher=voucher, kind="invoice"
    )
    old.get_model("webhooks", "WebhookEvent").objects.create(
        connection=connection,
        event_type="contact.changed",
        resource_id=str(contact.lexoffice_id),
        event_date="2026-01-01T00:00:00.000+01:00",
    )
    return {"connection": connection.pk, "member": member.pk}


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_migrates_forward_with_every_row() -> None:
    latest = MigrationExecutor(db).loader.graph.leaf_nodes()
    try:
        migrate(BEFORE_THE_MOVE)
        ids = fill_the_old_schema()
        before = rows()

        migrate(latest)

        assert rows() == before
        assert all(before[table] for table in TABLES)  # every table held a row to compare
        moved = Connection.objects.get(pk=ids["connection"])
        assert list(moved.members.values_list("pk", flat=True)) == [ids["member"]]
        assert Contact.objects.get(connection=moved).name == "Müller"
        assert SyncRun.objects.get(connection=moved).counts == {"contacts": {"created": 1}}
        assert OutboxEntry.objects.get(connection=moved).payload == {"a": 1}
        assert moved.sync_runs.count() == 1 and moved.webhook_events.count() == 1
    finally:
        migrate(latest)
