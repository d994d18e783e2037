"""Profile, master data, recurring templates, payments and per-key scopes."""

import requests

from harness.sandbox import SandboxOrg
from tests.sandbox.bodies import assert_regular, create
from tests.sandbox.test_vouchers import VOUCHER


def test_the_profile_has_every_documented_field(sandbox) -> None:
    profile = sandbox.api("GET", "/v1/profile").json()

    assert profile["organizationId"] == sandbox.organization_id
    assert set(profile) >= {
        "organizationId",
        "companyName",
        "created",
        "connectionId",
        "taxType",
        "businessFeatures",
        "smallBusiness",
        "features",
        "subscriptionStatus",
    }
    assert set(profile["created"]) == {"userId", "userName", "userEmail", "date"}
    assert profile["taxType"] in ("net", "gross", "vatfree")


def test_master_data_fields(sandbox) -> None:
    countries = sandbox.api("GET", "/v1/countries").json()
    categories = sandbox.api("GET", "/v1/posting-categories").json()
    conditions = sandbox.api("GET", "/v1/payment-conditions").json()
    layouts = sandbox.api("GET", "/v1/print-layouts").json()

    assert any(c["countryCode"] == "DE" and c["taxClassification"] == "de" for c in countries)
    assert all(set(c) == {"countryCode", "countryNameEN", "countryNameDE", "taxClassification"} for c in countries)
    assert all(set(c) == {"id", "name", "type", "contactRequired", "splitAllowed", "groupName"} for c in categories)
    assert {c["type"] for c in categories} == {"income", "outgo"}
    assert sum(c["organizationDefault"] for c in conditions) == 1
    assert all(
        "paymentDiscountConditions" not in c
        or set(c["paymentDiscountConditions"]) == {"discountPercentage", "discountRange"}
        for c in conditions
    )
    assert [set(layout) for layout in layouts] == [{"id", "name", "default"}]


def test_recurring_templates_list_reduced_entries_sorted_by_update(sandbox_server) -> None:
    org = _org_with_templates(sandbox_server)
    page = org.api("GET", "/v1/recurring-templates").json()

    assert page["totalElements"] == 3
    assert page["sort"][0] == {
        "property": "updatedDate",
        "direction": "DESC",
        "ignoreCase": False,
        "nullHandling": "NATIVE",
        "ascending": False,
    }
    updated = [t["updatedDate"] for t in page["content"]]
    assert updated == sorted(updated, reverse=True)
    entry = page["content"][0]
    assert set(entry["address"]) == {"contactId", "name"}
    assert "lineItems" not in entry
    assert set(entry["recurringTemplateSettings"]) >= {
        "id",
        "startDate",
        "endDate",
        "finalize",
        "shippingType",
        "executionInterval",
        "nextExecutionDate",
        "executionStatus",
        "lastExecutionFailed",
        "lastExecutionErrorMessage",
    }
    full = org.api("GET", f"/v1/recurring-templates/{entry['id']}").json()
    assert full["lineItems"] and full["totalPrice"]["totalGrossAmount"] > 0
    assert "voucherNumber" not in full and "voucherStatus" not in full
    assert_regular(
        org.api("GET", "/v1/recurring-templates/00000000-0000-4000-8000-000000000000"),
        404,
        "/v1/recurring-templates/00000000-0000-4000-8000-000000000000",
    )


def _org_with_templates(sandbox_server) -> SandboxOrg:
    created = requests.post(
        f"{sandbox_server.base_url}/_sandbox/organizations",
        timeout=60,
        json={"seed": 2, "contacts": 6, "invoices": 4, "recurringTemplates": 3, "rateLimit": 0},
    ).json()
    return SandboxOrg(sandbox_server.base_url, created["apiKey"], created["organizationId"])


def test_recurring_templates_sort_and_page(sandbox_server) -> None:
    org = _org_with_templates(sandbox_server)
    ascending = org.api("GET", "/v1/recurring-templates", params={"sort": "nextExecutionDate,ASC"}).json()
    first = org.api("GET", "/v1/recurring-templates", params={"size": 1}).json()

    dates = [t["recurringTemplateSettings"]["nextExecutionDate"] for t in ascending["content"]]
    assert [d for d in dates if d] == sorted(d for d in dates if d)
    assert (first["numberOfElements"], first["totalPages"], first["last"]) == (1, 3, False)
    assert_regular(
        org.api("GET", "/v1/recurring-templates", params={"sort": "title,ASC"}), 400, "/v1/recurring-templates"
    )
    assert_regular(org.api("GET", "/v1/recurring-templates", params={"size": 251}), 400, "/v1/recurring-templates")


def test_payments_of_vouchers_and_invoices(sandbox_empty) -> None:
    sale = sandbox_empty.api(
        "POST",
        "/v1/vouchers",
        json={
            **VOUCHER,
            "type": "salesinvoice",
            "voucherItems": [
                {**i, "categoryId": "8f8664a8-fd86-11e1-a21f-0800200c9a66"} for i in VOUCHER["voucherItems"]
            ],
        },
    ).json()["id"]
    purchase = sandbox_empty.api("POST", "/v1/vouchers", json=VOUCHER).json()["id"]
    unchecked = sandbox_empty.api(
        "POST",
        "/v1/vouchers",
        json={
            "type": "purchaseinvoice",
            "voucherStatus": "unchecked",
            "taxType": "gross",
            "useCollectiveContact": True,
        },
    ).json()["id"]
    invoice, draft = create(sandbox_empty, "invoices", finalize="true"), create(sandbox_empty, "invoices")
    quotation = create(sandbox_empty, "quotations", finalize="true")

    def state(record_id: str) -> dict:
        return sandbox_empty.api("GET", f"/v1/payments/{record_id}").json()

    assert {k: state(sale)[k] for k in ("openAmount", "paymentStatus", "voucherType", "currency")} == {
        "openAmount": 226.0,
        "paymentStatus": "openRevenue",
        "voucherType": "salesinvoice",
        "currency": "EUR",
    }
    assert state(purchase)["paymentStatus"] == "openExpense"
    assert (state(invoice["id"])["openAmount"], state(invoice["id"])["voucherType"]) == (238.0, "invoice")
    for refused in (unchecked, draft["id"], quotation["id"]):
        response = sandbox_empty.api("GET", f"/v1/payments/{refused}")
        assert (
            assert_regular(response, 406, f"/v1/payments/{refused}")["message"]
            == "No payment information for this voucher/voucher type"
        )
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_regular(sandbox_empty.api("GET", f"/v1/payments/{unknown}"), 404, f"/v1/payments/{unknown}")
    sandbox_empty.mutate("invoice", "pay", invoice["id"])
    paid = state(invoice["id"])
    assert (paid["openAmount"], paid["paymentStatus"], paid["voucherStatus"]) == (0, "balanced", "paid")
    assert paid["paidDate"]
    assert [(i["paymentItemType"], i["amount"]) for i in paid["paymentItems"]] == [("manualPayment", 238.0)]


def test_a_key_without_a_scope_gets_403_there_only(sandbox) -> None:
    sandbox.configure(deniedScopes=["quotations"])
    denied = sandbox.api("POST", "/v1/quotations", json={})

    assert (denied.status_code, denied.json()) == (403, {"message": "Forbidden"})
    assert sandbox.api("GET", "/v1/profile").status_code == 200
    sandbox.configure(deniedScopes=[])
    assert sandbox.api("POST", "/v1/quotations", json={}).status_code == 406
