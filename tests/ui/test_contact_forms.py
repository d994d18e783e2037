import pytest
from django.test import Client

from contacts.forms import initial_from
from contacts.models import Contact
from tests.fixtures.app import ENGLISH
from tests.ui.pages import field_errors, fields_with_errors, labels

pytestmark = pytest.mark.django_db

CONTRACT_LABELS = (
    "Company name",
    "First name",
    "Last name",
    "Note",
    "Email (business)",
    "Customer",
    "Vendor",
    "Leitweg-ID",
)


def posted(values: dict) -> dict:
    """What a browser submits for these form values: checked boxes as "on", unchecked ones absent."""
    return {
        name: ("on" if value is True else value)
        for name, value in values.items()
        if value is not False and value is not None
    }


def edit_data(contact: Contact, **changes) -> dict:
    return posted(initial_from(contact.raw, contact.version) | changes)


def a_company(connection) -> Contact:
    return Contact.objects.filter(connection=connection, is_company=True).order_by("pk").first()


def test_the_edit_form_has_every_contract_label_the_version_and_save(alice_client, synced) -> None:
    contact = a_company(synced)

    html = alice_client.get(f"/contacts/{contact.pk}/edit/").content.decode()

    found = labels(html)
    for text in CONTRACT_LABELS:
        assert text in found, text
        # Unique even as a case-insensitive substring, so a browser test's get_by_label finds one input.
        assert [label for label in found if text.lower() in label.lower()] == [text]
    assert f'type="hidden" name="version" value="{contact.version}"' in html
    assert ">Save</button>" in html
    assert 'name="connection"' not in html  # alice has one connection
    assert f'value="{contact.raw["company"]["name"]}"' in html


def test_a_new_company_is_created_in_lexoffice_and_shown(alice_client, connection, sandbox) -> None:
    response = alice_client.post(
        "/contacts/new/",
        {
            "version": "0",
            "is_customer": "on",
            "company_name": "Formular Test GmbH",
            "vat_id": "DE123456789",
            "cp_firstName": "Jana",
            "cp_lastName": "Berg",
            "cp_primary": "on",
            "billing_street": "Hafenweg 3",
            "billing_zip": "20457",
            "billing_city": "Hamburg",
            "billing_countryCode": "DE",
            "email_business": "info@formular.example",
            "phone_mobile": "0170 123",
            "buyer_reference": "04011000-1-06",
            "vendor_number_at_customer": "K-77",
            "note": "per Formular",
        },
        follow=True,
    )

    contact = Contact.objects.get(connection=connection, name="Formular Test GmbH")
    remote = sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()
    assert response.redirect_chain[-1][0] == f"/contacts/{contact.pk}/"
    assert "Saved in Lexoffice." in response.content.decode()
    assert remote["company"]["contactPersons"] == [{"firstName": "Jana", "lastName": "Berg", "primary": True}]
    assert remote["addresses"]["billing"][0]["city"] == "Hamburg"
    assert remote["emailAddresses"] == {"business": ["info@formular.example"]}
    assert remote["phoneNumbers"] == {"mobile": ["0170 123"]}
    assert remote["xRechnung"] == {"buyerReference": "04011000-1-06", "vendorNumberAtCustomer": "K-77"}
    assert "customer" in remote["roles"] and "vendor" not in remote["roles"]


def test_a_new_person_is_created(alice_client, connection, sandbox) -> None:
    alice_client.post(
        "/contacts/new/",
        {"version": "0", "is_vendor": "on", "salutation": "Frau", "first_name": "Erika", "last_name": "Mustermann"},
    )

    contact = Contact.objects.get(connection=connection, name="Erika Mustermann")
    remote = sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()
    assert remote["person"] == {"salutation": "Frau", "firstName": "Erika", "lastName": "Mustermann"}
    assert "company" not in remote and "vendor" in remote["roles"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"company_name": "X GmbH"}, "is_customer"),  # no role
        ({"is_customer": "on", "company_name": "X GmbH", "last_name": "Both"}, "company_name"),
        ({"is_customer": "on"}, "company_name"),  # neither company nor person
        ({"is_customer": "on", "first_name": "Only"}, "last_name"),
        ({"is_customer": "on", "company_name": "X GmbH", "cp_firstName": "No surname"}, "cp_lastName"),
        ({"is_customer": "on", "company_name": "X GmbH", "billing_countryCode": "XX"}, "billing_countryCode"),
        ({"is_customer": "on", "company_name": "X GmbH", "email_business": "not-an-address"}, "email_business"),
        (
            {"is_customer": "on", "company_name": "X GmbH", "buyer_reference": "04011000-1-06"},
            "vendor_number_at_customer",
        ),
        ({"is_customer": "on", "company_name": "X GmbH", "note": "x" * 1001}, "note"),
    ],
)
def test_local_errors_show_on_their_field_without_a_request(alice_client, connection, sandbox, values, field) -> None:
    before = sandbox.counters()["requests"]

    response = alice_client.post("/contacts/new/", {"version": "0", **values})

    html = response.content.decode()
    assert response.status_code == 400
    assert field_errors(html, field), fields_with_errors(html)
    assert fields_with_errors(html) == {field}
    assert sandbox.counters()["requests"] == before
    assert not Contact.objects.filter(connection=connection).exists()


def test_lexoffice_field_errors_show_on_the_right_field(alice_client, connection, sandbox) -> None:
    response = alice_client.post(
        "/contacts/new/", {"version": "0", "is_customer": "on", "company_name": "Steuer GmbH", "vat_id": "DE12"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert fields_with_errors(html) == {"vat_id"}
    assert field_errors(html, "vat_id") == ["Lexoffice does not accept this value."]
    assert any(entry["method"] == "POST" for entry in sandbox.requests_log())


def test_an_edit_is_saved_in_lexoffice(alice_client, synced, sandbox) -> None:
    contact = a_company(synced)

    response = alice_client.post(f"/contacts/{contact.pk}/edit/", edit_data(contact, note="Neu aus dem Formular"))

    assert response.status_code == 302 and response["Location"] == f"/contacts/{contact.pk}/"
    remote = sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()
    assert remote["note"] == "Neu aus dem Formular"
    assert remote["company"] == contact.raw["company"]  # untouched fields travel unchanged
    contact.refresh_from_db()
    assert contact.raw["note"] == "Neu aus dem Formular"


def test_a_remote_change_in_other_fields_is_merged_without_a_conflict_screen(alice_client, synced, sandbox) -> None:
    contact = a_company(synced)
    sandbox.mutate(
        "contact",
        "change",
        str(contact.lexoffice_id),
        {"company": {**contact.raw["company"], "name": "Umbenannt GmbH"}},
    )

    response = alice_client.post(f"/contacts/{contact.pk}/edit/", edit_data(contact, note="meine Notiz"))

    assert response.status_code == 302
    remote = sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()
    assert (remote["note"], remote["company"]["name"]) == ("meine Notiz", "Umbenannt GmbH")


def conflicted(alice_client, contact: Contact, sandbox) -> tuple[object, str]:
    """Lexoffice changes the note and the company name while the user edits the note."""
    sandbox.mutate(
        "contact",
        "change",
        str(contact.lexoffice_id),
        {"note": "ihre Notiz", "company": {**contact.raw["company"], "name": "Parallel GmbH"}},
    )
    response = alice_client.post(f"/contacts/{contact.pk}/edit/", edit_data(contact, note="meine Notiz"))
    return response, response.content.decode()


def test_a_clash_shows_the_conflict_screen_and_overwrites_nothing(alice_client, synced, sandbox) -> None:
    contact = a_company(synced)

    response, html = conflicted(alice_client, contact, sandbox)

    assert response.status_code == 409
    assert "<h1>Conflict" in html
    assert '<table class="conflict">' in html
    assert ('<th scope="col">Field</th><th scope="col">Your edit</th><th scope="col">Current in Lexoffice</th>') in html
    assert (
        '<tr data-path="note"><th scope="row">Note</th><td class="mine">meine Notiz</td>'
        '<td class="theirs">ihre Notiz</td></tr>' in html
    )
    assert 'data-path="company.name"' not in html  # only the user's clashing fields
    assert "Apply my edit to the current version</button>" in html
    assert f'href="/contacts/{contact.pk}/">Discard my edit</a>' in html
    assert sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()["note"] == "ihre Notiz"


def test_applying_my_edit_keeps_their_other_changes(alice_client, synced, sandbox) -> None:
    import re

    contact = a_company(synced)
    _response, html = conflicted(alice_client, contact, sandbox)
    hidden = dict(re.findall(r'<input type="hidden" name="(version|resolution)" value="([^"]*)">', html))

    response = alice_client.post(f"/contacts/{contact.pk}/edit/", hidden, follow=True)

    remote = sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()
    assert (remote["note"], remote["company"]["name"]) == ("meine Notiz", "Parallel GmbH")
    assert "Saved in Lexoffice." in response.content.decode()


def test_discarding_shows_the_current_lexoffice_version(alice_client, synced, sandbox) -> None:
    contact = a_company(synced)
    conflicted(alice_client, contact, sandbox)

    html = alice_client.get(f"/contacts/{contact.pk}/").content.decode()

    assert "ihre Notiz" in html and "Parallel GmbH" in html


def test_a_tampered_resolution_is_refused(alice_client, synced, sandbox) -> None:
    contact = a_company(synced)
    before = sandbox.counters()["requests"]

    response = alice_client.post(f"/contacts/{contact.pk}/edit/", {"version": "9", "resolution": "forged"})

    assert response.status_code == 302 and response["Location"] == f"/contacts/{contact.pk}/edit/"
    assert sandbox.counters()["requests"] == before


def test_the_connection_is_chosen_only_with_several(
    alice_client, connection, sandbox_server, alice, django_capture_on_commit_callbacks
) -> None:
    from connections.services import create_connection

    assert 'name="connection"' not in alice_client.get("/contacts/new/").content.decode()
    other = sandbox_server.new_org()
    with django_capture_on_commit_callbacks(execute=False):
        second = create_connection(
            name="Zweite", api_key=other.api_key, owner=alice, base_url=other.base_url, rate_limit=1000
        )
    html = alice_client.get("/contacts/new/").content.decode()
    assert labels(html).get("Connection") == "id_connection"

    alice_client.post(
        "/contacts/new/",
        {"connection": second.pk, "version": "0", "is_customer": "on", "company_name": "Zweitfirma AG"},
    )

    assert Contact.objects.get(name="Zweitfirma AG").connection == second
    assert other.api("GET", "/v1/contacts", params={"name": "Zweitfirma"}).json()["content"]


def test_other_users_cannot_edit(synced, bob) -> None:
    client = Client(headers=ENGLISH)
    client.force_login(bob)
    contact = a_company(synced)

    assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 404
    assert client.post(f"/contacts/{contact.pk}/edit/", edit_data(contact, note="x")).status_code == 404


def test_list_and_detail_link_to_new_and_edit(alice_client, synced) -> None:
    contact = a_company(synced)

    assert 'href="/contacts/new/"' in alice_client.get("/contacts/").content.decode()
    assert f'href="/contacts/{contact.pk}/edit/"' in alice_client.get(f"/contacts/{contact.pk}/").content.decode()


def test_an_edit_lexoffice_cannot_take_now_is_kept_and_said_so(alice_client, synced, sandbox) -> None:
    from connections.models import OutboxEntry

    contact = a_company(synced)
    sandbox.set_faults([{"path": "^/v1/contacts/", "method": "PUT", "kind": "status", "status": 503}])

    response = alice_client.post(f"/contacts/{contact.pk}/edit/", edit_data(contact, note="später"), follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/contacts/{contact.pk}/"
    assert "will be sent automatically" in html and "Saved in Lexoffice." not in html
    assert OutboxEntry.objects.get(operation="update_contact").state == OutboxEntry.State.PENDING


def test_an_edit_of_a_contact_deleted_upstream_says_so_on_the_form(alice_client, synced, sandbox) -> None:
    contact = a_company(synced)
    sandbox.mutate("contact", "delete", str(contact.lexoffice_id))

    response = alice_client.post(f"/contacts/{contact.pk}/edit/", edit_data(contact, note="zu spät"))

    html = response.content.decode()
    assert response.status_code == 404
    assert '<ul class="errorlist nonfield"' in html and "does not exist in Lexoffice" in html
