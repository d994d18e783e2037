import pytest

from connections.models import OutboxEntry
from connections.writes import EditConflict, WriteError, WriteQueued, process_entry
from contacts.models import Contact
from contacts.sync import push_contact, update_contact
from tests.payloads import NEW_COMPANY

pytestmark = pytest.mark.django_db


def remote_contacts_named(sandbox, name: str) -> list[dict]:
    return sandbox.api("GET", "/v1/contacts", params={"name": name}).json()["content"]


def test_a_new_contact_is_created_upstream_and_mirrored(connection, sandbox, alice) -> None:
    contact = push_contact(connection=connection, data=NEW_COMPANY, user=alice)

    remote = sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()
    assert remote["company"]["name"] == "Nordlicht Werkstatt GmbH"
    assert contact.customer_number == remote["roles"]["customer"]["number"]
    assert contact.raw == remote
    assert OutboxEntry.objects.get().state == OutboxEntry.State.SENT


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"roles": {}}, "roles"),
        ({"person": {"lastName": "Both"}}, "company"),
        ({"company": {"name": " "}}, "company.name"),
        ({"addresses": {"billing": [{"countryCode": "XX"}]}}, "addresses.billing[0].countryCode"),
        ({"addresses": {"billing": [{"countryCode": "DE"}, {"countryCode": "AT"}]}}, "addresses.billing"),
        ({"emailAddresses": {"business": ["a@b.example", "c@d.example"]}}, "emailAddresses.business"),
        ({"xRechnung": {"buyerReference": "04011000-1234512345-06"}}, "xRechnung.vendorNumberAtCustomer"),
        ({"note": "x" * 1001}, "note"),
    ],
)
def test_invalid_contacts_are_refused_locally_without_a_request(connection, sandbox, alice, change, field) -> None:
    before = sandbox.counters()["requests"]

    with pytest.raises(WriteError) as refused:
        push_contact(connection=connection, data={**NEW_COMPANY, **change}, user=alice)

    assert field in refused.value.field_errors
    assert sandbox.counters()["requests"] == before
    assert OutboxEntry.objects.count() == 0


def test_lexoffice_field_errors_come_back_on_their_fields(connection, sandbox, alice) -> None:
    data = {**NEW_COMPANY, "company": {**NEW_COMPANY["company"], "vatRegistrationId": "DE12"}}

    with pytest.raises(WriteError) as refused:
        push_contact(connection=connection, data=data, user=alice)

    assert refused.value.status == 400
    assert any("vatRegistrationId" in field for field in refused.value.field_errors), refused.value.field_errors


def test_a_remote_change_in_other_fields_is_merged(synced, sandbox, alice) -> None:
    contact = Contact.objects.filter(connection=synced, is_company=True).first()
    edited = {**contact.raw, "note": "my note"}
    sandbox.mutate(
        "contact",
        "change",
        str(contact.lexoffice_id),
        {"company": {**contact.raw["company"], "name": "Renamed upstream GmbH"}},
    )

    update_contact(contact=contact, data=edited, version=contact.version, user=alice)

    remote = sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()
    assert remote["note"] == "my note"
    assert remote["company"]["name"] == "Renamed upstream GmbH"


def test_a_remote_change_in_the_same_field_is_a_conflict_with_both_versions(synced, sandbox, alice) -> None:
    contact = Contact.objects.filter(connection=synced, is_company=True).first()
    sandbox.mutate("contact", "change", str(contact.lexoffice_id), {"note": "their note"})

    with pytest.raises(EditConflict) as conflict:
        update_contact(contact=contact, data={**contact.raw, "note": "my note"}, version=contact.version, user=alice)

    assert conflict.value.mine["note"] == "my note"
    assert conflict.value.theirs["note"] == "their note"
    assert "note" in conflict.value.fields
    assert sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()["note"] == "their note"


def test_fifty_concurrent_edits_never_overwrite_a_remote_change(synced, sandbox, alice) -> None:
    contacts = list(Contact.objects.filter(connection=synced, is_company=True))
    detected = overwritten = 0
    for round_number in range(50):
        contact = contacts[round_number % len(contacts)]
        contact.refresh_from_db()
        theirs = f"theirs {round_number}"
        sandbox.mutate("contact", "change", str(contact.lexoffice_id), {"note": theirs})  # between read and write
        try:
            update_contact(
                contact=contact,
                data={**contact.raw, "note": f"mine {round_number}"},
                version=contact.version,
                user=alice,
            )
        except EditConflict:
            detected += 1
        if sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json().get("note") != theirs:
            overwritten += 1
        # Catch the mirror up, as the webhook would.
        from contacts.sync import refresh_contact

        refresh_contact(connection=synced, lexoffice_id=str(contact.lexoffice_id), client=synced.client())

    assert (detected, overwritten) == (50, 0)


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "drop", "applyWrite": True},
        {"kind": "status", "status": 504, "applyWrite": True},
    ],
)
def test_lost_create_responses_never_duplicate_a_contact(connection, sandbox, alice, fault) -> None:
    for attempt in range(25):
        name = f"Lost Response {fault['kind']} {attempt:02d} GmbH"
        sandbox.set_faults([{"path": "^/v1/contacts/?$", "method": "POST", "rate": 1.0, "count": 1, **fault}])
        with pytest.raises(WriteQueued) as queued:
            push_contact(connection=connection, data={**NEW_COMPANY, "company": {"name": name}}, user=alice)
        sandbox.clear_faults()

        lexoffice_id = process_entry(queued.value.entry.pk)  # the retry looks the record up first

        upstream = remote_contacts_named(sandbox, name)
        assert len(upstream) == 1
        assert lexoffice_id == upstream[0]["id"]
        assert Contact.objects.filter(connection=connection, name=name).count() == 1
