from tests.sandbox.bodies import create, sales
from tests.sandbox.test_vouchers import VOUCHER


def entries(sandbox, **params) -> dict:
    return sandbox.api("GET", "/v1/voucherlist", params={"voucherType": "any", "voucherStatus": "any", **params})


def test_both_parameters_are_required_and_values_checked(sandbox) -> None:
    missing = sandbox.api("GET", "/v1/voucherlist", params={"voucherType": "any"})
    unknown = sandbox.api("GET", "/v1/voucherlist", params={"voucherType": "dunning", "voucherStatus": "any"})

    assert missing.status_code == 400
    assert missing.json()["message"] == "Missing required request parameters"
    assert set(missing.json()) >= {"timestamp", "status", "error", "path", "traceId"}
    assert unknown.status_code == 400
    assert "Invalid value 'dunning'" in unknown.json()["message"]


def test_size_sort_and_search_window_limits(sandbox) -> None:
    too_big, bad_sort = entries(sandbox, size=251), entries(sandbox, sort="amount,DESC")
    assert (too_big.status_code, too_big.json()["message"]) == (400, "parameter 'size' must be equal or lower than 250")
    assert (bad_sort.status_code, bad_sort.json()["message"]) == (400, "parameter 'sort' is invalid")
    window = entries(sandbox, page=40, size=250)
    assert (window.status_code, window.json()["message"]) == (400, "Maximum search window size exceeded")
    assert entries(sandbox, voucherStatus="overdue,open").status_code == 400


def test_types_statuses_and_dates_filter(sandbox) -> None:
    everything = entries(sandbox, size=250).json()["content"]
    invoices = entries(sandbox, voucherType="invoice", size=250).json()["content"]
    some_day = everything[0]["voucherDate"][:10]
    that_day = entries(sandbox, voucherDateFrom=some_day, voucherDateTo=some_day, size=250).json()["content"]

    assert {e["voucherType"] for e in invoices} == {"invoice"}
    assert len(invoices) == sum(1 for e in everything if e["voucherType"] == "invoice")
    assert everything[0]["id"] in {e["id"] for e in that_day}
    assert all(e["voucherDate"][:10] == some_day for e in that_day)
    assert all(e["openAmount"] is None for e in everything if e["voucherStatus"] == "draft")
    assert "dunning" not in {e["voucherType"] for e in everything}


def test_sales_documents_render_and_download_by_accept(sandbox_server) -> None:
    org = sandbox_server.new_org(invoices=20, seed=9)
    invoices = entries(org, voucherType="invoice", size=250).json()["content"]
    final = [e["id"] for e in invoices if e["voucherStatus"] != "draft"]
    drafts = [e["id"] for e in invoices if e["voucherStatus"] == "draft"]
    xrechnung = [
        i for i in final if org.api("GET", f"/v1/invoices/{i}").json().get("electronicDocumentProfile") == "XRechnung"
    ]
    regular = [i for i in final if i not in xrechnung]

    assert org.api("GET", f"/v1/credit-notes/{final[0]}").status_code == 404  # another type's id
    assert org.api("GET", f"/v1/invoices/{final[0]}/document").json()["documentFileId"]
    pdf = org.api("GET", f"/v1/invoices/{regular[0]}/file", headers={"Accept": "*/*"})
    assert (pdf.status_code, pdf.content[:5]) == (200, b"%PDF-")
    assert "attachment; filename=" in pdf.headers["Content-Disposition"]
    assert org.api("GET", f"/v1/invoices/{regular[0]}/file", headers={"Accept": "application/xml"}).status_code == 404
    assert org.api("GET", f"/v1/invoices/{regular[0]}/file", headers={"Accept": "application/json"}).status_code == 406
    assert org.api("GET", f"/v1/invoices/{regular[0]}/file", headers={"Accept": "image/png"}).status_code == 406
    down_payments = entries(org, voucherType="downpaymentinvoice").json()["content"]
    assert down_payments
    down_payment = org.api("GET", f"/v1/down-payment-invoices/{down_payments[0]['id']}").json()
    assert (down_payment["id"], down_payment["closingInvoiceId"]) == (down_payments[0]["id"], None)
    assert (
        org.api("GET", f"/v1/down-payment-invoices/{down_payment['id']}/file", headers={"Accept": "*/*"}).content[:5]
        == b"%PDF-"
    )
    if xrechnung:
        xml = org.api("GET", f"/v1/invoices/{xrechnung[0]}/file", headers={"Accept": "*/*"})
        assert xml.headers["Content-Type"].startswith("application/xml")
    if drafts:
        assert org.api("GET", f"/v1/invoices/{drafts[0]}/file").status_code == 409
        assert org.api("GET", f"/v1/invoices/{drafts[0]}/document").status_code == 406


def test_open_vouchers_past_their_due_date_are_listed_overdue(sandbox_empty) -> None:
    past = sandbox_empty.api(
        "POST", "/v1/vouchers", json={**VOUCHER, "voucherDate": "2024-01-01", "dueDate": "2024-01-15"}
    ).json()["id"]
    future = sandbox_empty.api(
        "POST", "/v1/vouchers", json={**VOUCHER, "voucherDate": "2024-01-01", "dueDate": "2099-01-15"}
    ).json()["id"]

    def ids(status: str) -> dict[str, str]:
        return {e["id"]: e["voucherStatus"] for e in entries(sandbox_empty, voucherStatus=status).json()["content"]}

    assert ids("overdue") == {past: "overdue"}
    assert ids("open") == {past: "overdue", future: "open"}
    assert ids("paid") == {}


def test_date_filters_use_berlin_days(sandbox_empty) -> None:
    late = create(sandbox_empty, "invoices", sales("invoices", voucherDate="2026-03-01T23:30:00.000Z"))
    assert late["voucherDate"] == "2026-03-02T00:30:00.000+01:00"

    def ids(**params) -> list[str]:
        return [e["id"] for e in entries(sandbox_empty, voucherType="invoice", **params).json()["content"]]

    assert ids(voucherDateFrom="2026-03-02", voucherDateTo="2026-03-02") == [late["id"]]
    assert ids(voucherDateFrom="2026-03-01", voucherDateTo="2026-03-01") == []
