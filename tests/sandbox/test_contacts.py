import pytest

COMPANY = {"version": 0, "roles": {"customer": {}}, "company": {"name": "Nordlicht Werkstatt GmbH"}}


def issue_sources(response) -> set[str]:
    return {issue["source"] for issue in response.json()["IssueList"]}


def test_the_page_envelope_has_every_field(sandbox) -> None:
    body = sandbox.api("GET", "/v1/contacts", params={"size": 2}).json()

    assert set(body) == {
        "content",
        "first",
        "last",
        "totalPages",
        "totalElements",
        "numberOfElements",
        "size",
        "number",
        "sort",
    }
    assert body["sort"][0] == {
        "property": "name",
        "direction": "ASC",
        "ignoreCase": False,
        "nullHandling": "NATIVE",
        "ascending": True,
    }
    assert (body["size"], body["numberOfElements"], body["totalElements"]) == (2, 2, 5)


def test_filters_need_three_characters(sandbox) -> None:
    response = sandbox.api("GET", "/v1/contacts", params={"name": "ab"})

    assert response.status_code == 400
    assert response.json()["IssueList"][0]["i18nKey"] == "bad_request_error"


def test_filters_match_substrings_with_wildcards_and_escapes(sandbox) -> None:
    for name in ("Alpha Beta GmbH", "Alpha_Beta KG", "Gamma Delta AG"):
        sandbox.api("POST", "/v1/contacts", json={**COMPANY, "company": {"name": name}})

    def names(**params) -> list[str]:
        return sorted(
            c["company"]["name"]
            for c in sandbox.api("GET", "/v1/contacts", params=params).json()["content"]
            if c.get("company")
        )

    assert names(name="alpha") == ["Alpha Beta GmbH", "Alpha_Beta KG"]
    assert names(name="alpha_beta") == ["Alpha Beta GmbH", "Alpha_Beta KG"]  # `_` is any one character
    assert names(name="alpha\\_beta") == ["Alpha_Beta KG"]
    assert names(name="gam%ag") == ["Gamma Delta AG"]
    assert names(name="alpha", vendor="true") == []


def test_number_and_role_filters(sandbox) -> None:
    created = sandbox.api("POST", "/v1/contacts", json={**COMPANY, "roles": {"vendor": {}}}).json()
    number = sandbox.api("GET", f"/v1/contacts/{created['id']}").json()["roles"]["vendor"]["number"]

    assert [c["id"] for c in sandbox.api("GET", "/v1/contacts", params={"number": number}).json()["content"]] == [
        created["id"]
    ]
    assert sandbox.api("GET", "/v1/contacts", params={"number": "abc"}).status_code == 400


def test_create_assigns_numbers_from_separate_counters(sandbox_empty) -> None:
    customer = sandbox_empty.api("POST", "/v1/contacts", json=COMPANY)
    both = sandbox_empty.api("POST", "/v1/contacts", json={**COMPANY, "roles": {"customer": {}, "vendor": {}}})

    assert customer.status_code == 201
    assert customer.headers["Location"] == customer.json()["resourceUri"]
    assert customer.json()["version"] == 1
    roles = sandbox_empty.api("GET", f"/v1/contacts/{both.json()['id']}").json()["roles"]
    assert roles["customer"]["number"] != roles["vendor"]["number"]


@pytest.mark.parametrize(
    ("change", "source", "key"),
    [
        ({"roles": {}}, "roles.customer or roles.vendor", "missing_entity"),
        ({"company": None}, "company or person", "missing_entity"),
        ({"person": {"lastName": "Kraft"}}, "company and person", "invalid_value"),
        (
            {"addresses": {"billing": [{"countryCode": "DE"}, {"countryCode": "AT"}]}},
            "addresses.billing.size",
            "invalid_value",
        ),
        (
            {"addresses": {"billing": [{"countryCode": "XX"}]}},
            "addresses.billing[0].countryCode",
            "countrycode_is_not_valid",
        ),
        ({"company": {"name": ""}}, "company.name", "missing_entity"),
    ],
)
def test_create_validation_answers_406_in_the_legacy_format(sandbox, change, source, key) -> None:
    response = sandbox.api("POST", "/v1/contacts", json={**COMPANY, **change})

    assert response.status_code == 406
    issues = response.json()["IssueList"]
    assert {"i18nKey", "source", "type"} <= set(issues[0])
    assert (source, key) in {(i["source"], i["i18nKey"]) for i in issues}


def test_a_stale_version_is_409_or_the_live_406(sandbox) -> None:
    contact = sandbox.api("GET", "/v1/contacts").json()["content"][0]
    current = sandbox.api("PUT", f"/v1/contacts/{contact['id']}", json=contact)
    stale = sandbox.api("PUT", f"/v1/contacts/{contact['id']}", json=contact)
    sandbox.configure(staleVersionStatus=406)
    live = sandbox.api("PUT", f"/v1/contacts/{contact['id']}", json=contact)

    assert current.json()["version"] == contact["version"] + 1
    assert stale.status_code == 409
    assert live.status_code == 406
    assert issue_sources(live) == {"version"}


def test_put_replaces_the_whole_record(sandbox) -> None:
    contact = sandbox.api("GET", "/v1/contacts").json()["content"][0]
    body = {key: value for key, value in contact.items() if key not in ("phoneNumbers", "note")}

    sandbox.api("PUT", f"/v1/contacts/{contact['id']}", json=body)

    assert "phoneNumbers" not in sandbox.api("GET", f"/v1/contacts/{contact['id']}").json()


def test_names_match_html_encoded_and_emails_include_contact_persons(sandbox_empty) -> None:
    sandbox_empty.api(
        "POST",
        "/v1/contacts",
        json={
            **COMPANY,
            "company": {
                "name": "Johnson & Partner",
                "contactPersons": [{"lastName": "Kraft", "emailAddress": "kraft@jp.example"}],
            },
        },
    )

    def found(**params) -> list[str]:
        return [c["company"]["name"] for c in sandbox_empty.api("GET", "/v1/contacts", params=params).json()["content"]]

    assert found(name="johnson &amp; partner") == ["Johnson & Partner"]
    assert found(email="kraft@jp") == ["Johnson & Partner"]
    assert found(email="kraft@jp", name="other") == []  # filters are AND-ed


def test_total_elements_stop_at_the_search_window(sandbox_server) -> None:
    org = sandbox_server.new_org(contacts=10_010, seed=4)
    last = org.api("GET", "/v1/contacts", params={"size": 250, "page": 39}).json()
    beyond = org.api("GET", "/v1/contacts", params={"size": 250, "page": 40})

    assert (last["totalElements"], last["totalPages"], last["last"]) == (10_000, 40, True)
    assert (beyond.status_code, beyond.json()["message"]) == (400, "Maximum search window size exceeded")
