import pytest

from tests.writes import files

VOUCHER = {
    "type": "purchaseinvoice",
    "voucherNumber": "ER-1",
    "voucherDate": "2026-03-01",
    "taxType": "gross",
    "totalGrossAmount": 226.0,
    "totalTaxAmount": 26.0,
    "useCollectiveContact": True,
    "voucherItems": [
        {
            "amount": 119.0,
            "taxAmount": 19.0,
            "taxRatePercent": 19,
            "categoryId": "16d04a28-9d3d-4a83-a0f4-5ef6b1b3c2a1",
        },
        {"amount": 107.0, "taxAmount": 7.0, "taxRatePercent": 7, "categoryId": "16d04a28-9d3d-4a83-a0f4-5ef6b1b3c2a1"},
    ],
}


def keys(response) -> set[tuple[str, str]]:
    return {(i["source"], i["i18nKey"]) for i in response.json()["IssueList"]}


def test_create_returns_dates_as_berlin_datetimes(sandbox) -> None:
    created = sandbox.api("POST", "/v1/vouchers", json=VOUCHER)
    voucher = sandbox.api("GET", f"/v1/vouchers/{created.json()['id']}").json()

    assert created.status_code == 201
    assert voucher["voucherDate"] == "2026-03-01T00:00:00.000+01:00"
    assert (voucher["voucherStatus"], voucher["files"], voucher["version"]) == ("open", [], 1)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"totalGrossAmount": 200.0}, ("totalGrossAmount", "invalid_total_amount")),
        (
            {"voucherItems": [{**VOUCHER["voucherItems"][0], "taxAmount": 5.0}, VOUCHER["voucherItems"][1]]},
            ("voucherItems[0].taxAmount", "invalid_taxamount"),
        ),
        (
            {"useCollectiveContact": False, "contactId": "x", "contactName": "Y"},
            ("contactName", "custom_contact_name_for_referenced_contact_not_allowed"),
        ),
        ({"voucherStatus": "unchecked", "taxType": "net"}, ("taxType", "invalid_value")),
        ({"voucherStatus": "paid"}, ("voucherStatus", "invalid_value")),
        ({"voucherNumber": None}, ("voucherNumber", "missing_entity")),
    ],
)
def test_create_rules(sandbox, change, expected) -> None:
    response = sandbox.api("POST", "/v1/vouchers", json={**VOUCHER, **change})

    assert response.status_code == 406
    assert expected in keys(response)


def test_an_unchecked_voucher_needs_little(sandbox) -> None:
    response = sandbox.api(
        "POST",
        "/v1/vouchers",
        json={
            "type": "purchaseinvoice",
            "voucherStatus": "unchecked",
            "taxType": "gross",
            "useCollectiveContact": True,
        },
    )
    assert response.status_code == 201


def test_put_without_a_file_id_deletes_the_file_and_status_echo_is_refused(sandbox) -> None:
    voucher_id = sandbox.api("POST", "/v1/vouchers", json=VOUCHER).json()["id"]
    file_id = sandbox.api(
        "POST", f"/v1/vouchers/{voucher_id}/files", files={"file": ("a.pdf", files.pdf("a"), "application/pdf")}
    ).json()["id"]
    voucher = sandbox.api("GET", f"/v1/vouchers/{voucher_id}").json()
    assert voucher["files"] == [file_id]
    put_body = {**voucher, "voucherDate": "2026-03-01", "dueDate": "2026-03-01", "files": []}

    assert (
        sandbox.api("PUT", f"/v1/vouchers/{voucher_id}", json={**put_body, "voucherStatus": "paid"}).status_code == 406
    )
    assert sandbox.api("PUT", f"/v1/vouchers/{voucher_id}", json=put_body).status_code == 200
    assert sandbox.api("GET", f"/v1/files/{file_id}").status_code == 404
    assert sandbox.api("PUT", f"/v1/vouchers/{voucher_id}", json=put_body).status_code == 409  # stale version


def test_search_by_number_is_exact_and_paged_without_sort(sandbox) -> None:
    sandbox.api("POST", "/v1/vouchers", json={**VOUCHER, "voucherNumber": "EXACT-7"})
    body = sandbox.api("GET", "/v1/vouchers", params={"voucherNumber": "EXACT-7"}).json()

    assert [v["voucherNumber"] for v in body["content"]] == ["EXACT-7"]
    assert "sort" not in body
    assert sandbox.api("GET", "/v1/vouchers", params={"voucherNumber": "EXACT"}).json()["content"] == []
