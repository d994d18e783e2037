"""Articles (§16): CRUD, computed prices, exact filters, paging, validation in the regular format, locking."""

import pytest

from tests.sandbox.bodies import article, assert_regular, details


def test_create_starts_at_version_0_and_computes_the_other_price(sandbox_empty) -> None:
    created = sandbox_empty.api("POST", "/v1/articles", json=article())
    gross = sandbox_empty.api(
        "POST",
        "/v1/articles",
        json=article(articleNumber="B-101", price={"grossPrice": 10.7, "leadingPrice": "GROSS", "taxRate": 7}),
    )
    stored = sandbox_empty.api("GET", f"/v1/articles/{created.json()['id']}").json()

    assert (created.status_code, created.json()["version"]) == (201, 0)
    assert created.headers["Location"] == created.json()["resourceUri"]
    assert stored["price"] == {"netPrice": 100.0, "grossPrice": 119.0, "leadingPrice": "NET", "taxRate": 19}
    assert (stored["archived"], stored["version"], stored["type"]) == (False, 0, "SERVICE")
    assert sandbox_empty.api("GET", f"/v1/articles/{gross.json()['id']}").json()["price"]["netPrice"] == 10.0


def test_filters_match_exactly_and_pages_are_sorted_by_title(sandbox_empty) -> None:
    for number, title, kind, gtin in (
        ("A-1", "Zange", "PRODUCT", "4006381333931"),
        ("A-2", "Abholung", "SERVICE", None),
        ("A-3", "Montage", "SERVICE", None),
    ):
        extra = {"gtin": gtin} if gtin else {}
        assert (
            sandbox_empty.api(
                "POST", "/v1/articles", json=article(articleNumber=number, title=title, type=kind, **extra)
            ).status_code
            == 201
        )

    def titles(**params) -> list[str]:
        return [a["title"] for a in sandbox_empty.api("GET", "/v1/articles", params=params).json()["content"]]

    assert titles() == ["Abholung", "Montage", "Zange"]
    assert titles(articleNumber="A-2") == ["Abholung"]
    assert titles(articleNumber="A-") == []  # no substring matching
    assert titles(gtin="4006381333931") == ["Zange"]
    assert titles(type="SERVICE") == ["Abholung", "Montage"]
    assert titles(title="Zange") == ["Abholung", "Montage", "Zange"]  # unknown parameters are ignored
    assert titles(sort="title,DESC") == ["Zange", "Montage", "Abholung"]
    page = sandbox_empty.api("GET", "/v1/articles", params={"size": 2, "page": 1}).json()
    assert (page["totalElements"], page["totalPages"], page["numberOfElements"], page["last"]) == (3, 2, 1, True)
    assert page["sort"][0]["property"] == "title"
    assert_regular(sandbox_empty.api("GET", "/v1/articles", params={"size": 251}), 400, "/v1/articles")
    assert_regular(sandbox_empty.api("GET", "/v1/articles", params={"type": "service"}), 400, "/v1/articles")
    assert_regular(sandbox_empty.api("GET", "/v1/articles", params={"sort": "price,ASC"}), 400, "/v1/articles")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"price": None}, ("price", "NOTNULL")),
        ({"unitName": ""}, ("unitName", "NOTEMPTY")),
        ({"title": " "}, ("title", "NOTBLANK")),
        ({"type": None}, ("type", "NOTNULL")),
        ({"type": "service"}, ("type", "INVALID")),
        ({"price": {"leadingPrice": "NET", "taxRate": 19}}, ("price.netPrice", "NOTNULL")),
        ({"price": {"leadingPrice": "GROSS", "taxRate": 19, "netPrice": 1}}, ("price.grossPrice", "NOTNULL")),
        ({"price": {"netPrice": 1, "taxRate": 19}}, ("price.leadingPrice", "NOTNULL")),
        ({"price": {"netPrice": 1, "leadingPrice": "NET", "taxRate": 16}}, ("price.taxRate", "INVALID")),
        ({"gtin": "4006381333932"}, ("gtin", "VALIDGTIN")),  # wrong check digit
        ({"gtin": "12345"}, ("gtin", "VALIDGTIN")),
    ],
)
def test_create_validation(sandbox_empty, change, expected) -> None:
    response = sandbox_empty.api("POST", "/v1/articles", json=article(**change))

    body = assert_regular(response, 406, "/v1/articles")
    assert expected in details(response)
    assert all(set(d) == {"violation", "field", "message"} for d in body["details"])


def test_missing_fields_are_listed_together(sandbox_empty) -> None:
    response = sandbox_empty.api("POST", "/v1/articles", json={"title": "Nur Titel", "type": "PRODUCT"})
    assert {("price", "NOTNULL"), ("unitName", "NOTEMPTY")} <= details(response)


def test_article_numbers_are_unique(sandbox_empty) -> None:
    sandbox_empty.api("POST", "/v1/articles", json=article())
    response = sandbox_empty.api("POST", "/v1/articles", json=article(title="Kopie"))

    assert_regular(response, 406, "/v1/articles")
    assert details(response) == {("materialNumber", "MATERIAL_NUMBER_ALREADY_EXISTS")}


def test_put_needs_the_current_version_and_replaces_the_record(sandbox_empty) -> None:
    article_id = sandbox_empty.api("POST", "/v1/articles", json=article(note="alt")).json()["id"]
    path = f"/v1/articles/{article_id}"
    current = sandbox_empty.api("GET", path).json()

    missing = sandbox_empty.api("PUT", path, json=article())
    updated = sandbox_empty.api("PUT", path, json={**article(title="Neu"), "version": current["version"]})
    stale = sandbox_empty.api("PUT", path, json={**article(title="Alt"), "version": current["version"]})
    same_number = sandbox_empty.api("PUT", path, json={**article(title="Neu"), "version": 1})

    assert_regular(missing, 406, path)
    assert ("version", "NOTNULL") in details(missing)
    assert (updated.status_code, updated.json()["version"]) == (200, 1)
    assert_regular(stale, 409, path)
    assert same_number.status_code == 200  # its own number is no duplicate
    stored = sandbox_empty.api("GET", path).json()
    assert (stored["title"], stored["version"], "note" in stored) == ("Neu", 2, False)


def test_delete_is_real(sandbox_empty) -> None:
    article_id = sandbox_empty.api("POST", "/v1/articles", json=article()).json()["id"]
    path = f"/v1/articles/{article_id}"

    first = sandbox_empty.api("DELETE", path)
    assert (first.status_code, first.content) == (204, b"")
    assert_regular(sandbox_empty.api("DELETE", path), 404, path)
    assert_regular(sandbox_empty.api("GET", path), 404, path)
    assert_regular(sandbox_empty.api("PUT", path, json={**article(), "version": 0}), 404, path)


def test_seeded_articles_are_deterministic(sandbox_server) -> None:
    def numbers(org) -> list[tuple]:
        content = org.api("GET", "/v1/articles", params={"size": 250}).json()["content"]
        return [(a["articleNumber"], a["title"], a["price"]["netPrice"], a.get("gtin")) for a in content]

    first = sandbox_server.new_org(contacts=3, invoices=12, seed=5)
    second = sandbox_server.new_org(contacts=3, invoices=12, seed=5)
    assert numbers(first) == numbers(second)
    assert len(numbers(first)) == 6
    assert all(a[3] is None or len(a[3]) == 13 for a in numbers(first))
