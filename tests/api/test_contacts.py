import pytest

from connections.models import OutboxEntry
from contacts.models import Contact
from tests.payloads import NEW_COMPANY

pytestmark = pytest.mark.django_db


def all_rows(client, url: str) -> list[dict]:
    rows = []
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.content
        rows += page.json()["results"]
        url = page.json()["next"]
    return rows


def test_contacts_are_listed_in_lexoffices_shape_with_our_ids(synced, owner) -> None:
    rows = all_rows(owner, "/api/v1/contacts/?pageSize=2")

    stored = Contact.objects.filter(connection=synced)
    assert sorted(row["id"] for row in rows) == sorted(stored.values_list("pk", flat=True))
    assert [row["id"] for row in rows] == list(stored.order_by("name", "id").values_list("pk", flat=True))
    first = stored.get(pk=rows[0]["id"])
    assert rows[0] == {**first.raw, "id": first.pk, "lexofficeId": str(first.lexoffice_id), "connection": synced.pk}
    assert "roles" in rows[0] and "version" in rows[0]


def test_contacts_are_searched_filtered_and_ordered(synced, owner) -> None:
    contact = Contact.objects.filter(connection=synced, is_customer=True).first()
    fragment = contact.name[1:6]

    found = owner.get("/api/v1/contacts/", {"search": fragment}).json()["results"]
    customers = owner.get("/api/v1/contacts/", {"role": "customer"}).json()["results"]
    descending = owner.get("/api/v1/contacts/", {"ordering": "-name"}).json()["results"]

    assert contact.pk in [row["id"] for row in found]
    assert all(fragment.lower() in row["company"]["name"].lower() if row.get("company") else True for row in found)
    assert {row["id"] for row in customers} == set(
        Contact.objects.filter(connection=synced, is_customer=True).values_list("pk", flat=True)
    )
    names = [Contact.objects.get(pk=row["id"]).name for row in descending]
    assert names == sorted(names, reverse=True)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"ordering": "email"}, "ordering"),
        ({"pageSize": "0"}, "pageSize"),
        ({"pageSize": "251"}, "pageSize"),
        ({"cursor": "bm9wZQ"}, "cursor"),
        ({"role": "boss"}, "role"),
        ({"archived": "maybe"}, "archived"),
    ],
)
def test_bad_list_parameters_are_a_400_naming_the_parameter(synced, owner, query, field) -> None:
    response = owner.get("/api/v1/contacts/", query)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fieldErrors"]


def test_a_contact_is_created_in_lexoffice_and_returned(connection, sandbox, owner) -> None:
    response = owner.post("/api/v1/contacts/", {**NEW_COMPANY, "connection": connection.pk}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    remote = sandbox.api("GET", f"/v1/contacts/{body['lexofficeId']}").json()
    assert body["company"]["name"] == remote["company"]["name"] == "Nordlicht Werkstatt GmbH"
    assert body["roles"]["customer"]["number"] == remote["roles"]["customer"]["number"]
    assert body["id"] == Contact.objects.get(lexoffice_id=body["lexofficeId"]).pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"company": {"name": " "}}, "company.name"),
        ({"roles": {}}, "roles"),
        ({"addresses": {"billing": [{"countryCode": "XX"}]}}, "addresses.billing[0].countryCode"),
        ({"company": {"name": "A", "contactPersons": [{"lastName": "x" * 300}]}}, "company.contactPersons[0].lastName"),
        ({"emailAddresses": {"business": "not-a-list"}}, "emailAddresses.business"),
        ({"company": "a string"}, "company"),
        ({"connection": 999999}, "connection"),
    ],
)
def test_invalid_contacts_are_a_400_with_the_fields_named(connection, sandbox, owner, change, field) -> None:
    before = sandbox.counters()["requests"]

    response = owner.post("/api/v1/contacts/", {**NEW_COMPANY, "connection": connection.pk, **change}, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["fieldErrors"], response.json()
    assert sandbox.counters()["requests"] == before


def test_lexoffices_406_field_errors_come_back_on_their_fields(connection, owner) -> None:
    data = {
        **NEW_COMPANY,
        "connection": connection.pk,
        "company": {**NEW_COMPANY["company"], "vatRegistrationId": "DE12"},
    }

    response = owner.post("/api/v1/contacts/", data, format="json")

    assert response.status_code == 400
    assert any("vatRegistrationId" in field for field in response.json()["fieldErrors"]), response.json()


def test_another_users_connection_cannot_be_named(connection, other) -> None:
    response = other.post("/api/v1/contacts/", {**NEW_COMPANY, "connection": connection.pk}, format="json")

    assert response.status_code == 400
    assert "connection" in response.json()["fieldErrors"]


@pytest.mark.parametrize("status", [429, 503])
def test_a_create_lexoffice_cannot_take_now_is_a_202_with_the_outbox_entry(connection, sandbox, owner, status) -> None:
    sandbox.set_faults([{"path": "^/v1/contacts/?$", "method": "POST", "kind": "status", "status": status}])

    response = owner.post("/api/v1/contacts/", {**NEW_COMPANY, "connection": connection.pk}, format="json")

    assert response.status_code == 202, response.content
    body = response.json()
    entry = OutboxEntry.objects.get(pk=body["outbox"]["id"])
    assert (body["code"], body["outbox"]["state"], entry.operation) == ("queued", "pending", "create_contact")


def test_an_update_merges_a_remote_change_in_other_fields(synced, sandbox, owner) -> None:
    contact = Contact.objects.filter(connection=synced, is_company=True).first()
    sandbox.mutate(
        "contact",
        "change",
        str(contact.lexoffice_id),
        {"company": {**contact.raw["company"], "name": "Renamed upstream GmbH"}},
    )

    response = owner.put(f"/api/v1/contacts/{contact.pk}/", {**contact.raw, "note": "my note"}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["note"], response.json()["company"]["name"]) == ("my note", "Renamed upstream GmbH")
    remote = sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()
    assert (remote["note"], remote["company"]["name"]) == ("my note", "Renamed upstream GmbH")


def test_an_update_of_the_same_field_is_a_409_with_both_versions(synced, sandbox, owner) -> None:
    contact = Contact.objects.filter(connection=synced, is_company=True).first()
    sandbox.mutate("contact", "change", str(contact.lexoffice_id), {"note": "their note"})

    response = owner.put(f"/api/v1/contacts/{contact.pk}/", {**contact.raw, "note": "my note"}, format="json")

    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "conflict" and body["fieldErrors"] == {}
    assert (body["mine"]["note"], body["theirs"]["note"]) == ("my note", "their note")
    assert "note" in body["fields"]
    assert sandbox.api("GET", f"/v1/contacts/{contact.lexoffice_id}").json()["note"] == "their note"


def test_an_update_needs_the_version(synced, owner) -> None:
    contact = Contact.objects.filter(connection=synced).first()
    raw = {key: value for key, value in contact.raw.items() if key != "version"}

    response = owner.put(f"/api/v1/contacts/{contact.pk}/", raw, format="json")

    assert response.status_code == 400
    assert "version" in response.json()["fieldErrors"]


def test_foreign_and_unknown_contacts_are_404(synced, owner, other) -> None:
    contact = Contact.objects.filter(connection=synced).first()

    assert owner.get(f"/api/v1/contacts/{contact.pk}/").status_code == 200
    for client, pk in ((other, contact.pk), (owner, 987654321), (owner, "abc")):
        response = client.get(f"/api/v1/contacts/{pk}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert other.put(f"/api/v1/contacts/{contact.pk}/", {**contact.raw}, format="json").status_code == 404
