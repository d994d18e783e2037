"""Open items: totals and aging buckets against an independent walk of the sandbox's own voucher list."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from invoices.models import SalesDocument
from reports import openitems
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db

RECEIVABLE = {"salesinvoice", "invoice", "downpaymentinvoice", "purchasecreditnote"}
PAYABLE = {"purchaseinvoice", "salescreditnote", "creditnote"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sandbox_entries(sandbox) -> list[dict]:
    entries, page = [], 0
    while True:
        body = sandbox.api(
            "GET", "/v1/voucherlist", params={"voucherType": "any", "voucherStatus": "any", "page": page, "size": 250}
        ).json()
        entries += body["content"]
        if body["last"]:
            return entries
        page += 1


def expected_from_sandbox(sandbox) -> dict:
    """Walk the sandbox's voucher list over HTTP and bucket each open amount by its due date."""
    today = date.today()
    expected = {
        d: {"total": Decimal(0), "count": 0, **{k: Decimal(0) for k in openitems.BUCKET_KEYS}}
        for d in ("receivable", "payable")
    }
    for entry in sandbox_entries(sandbox):
        amount = Decimal(str(entry.get("openAmount") or 0))
        kind = entry["voucherType"]
        if amount <= 0 or entry["voucherStatus"] in ("draft", "voided") or kind not in RECEIVABLE | PAYABLE:
            continue
        due = entry.get("dueDate") or entry.get("voucherDate")
        days = (today - date.fromisoformat(due[:10])).days
        bucket = (
            "current"
            if days <= 0
            else "d1_30"
            if days <= 30
            else "d31_60"
            if days <= 60
            else "d61_90"
            if days <= 90
            else "d90_plus"
        )
        side = expected["receivable" if kind in RECEIVABLE else "payable"]
        side["total"] += amount
        side["count"] += 1
        side[bucket] += amount
    return expected


def add_recent_vouchers(org) -> None:
    """The seed's documents are long overdue: add open vouchers due around today so every bucket has some."""
    categories = {
        "salesinvoice": "8f8664a8-fd86-11e1-a21f-0800200c9a66",
        "purchaseinvoice": "8f8664a5-fd86-11e1-a21f-0800200c9a66",
    }
    for index, days in enumerate((-5, 0, 1, 30, 31, 60, 61, 90, 91)):
        for kind, category in categories.items():
            due = date.today() - timedelta(days=days)
            response = org.api(
                "POST",
                "/v1/vouchers",
                json={
                    "type": kind,
                    "voucherNumber": f"T-{kind[:2]}-{index}",
                    "voucherDate": (due - timedelta(days=14)).isoformat(),
                    "dueDate": due.isoformat(),
                    "totalGrossAmount": round(119.0 + 1.19 * index, 2),
                    "totalTaxAmount": round(19.0 + 0.19 * index, 2),
                    "taxType": "gross",
                    "useCollectiveContact": True,
                    "voucherItems": [
                        {
                            "amount": round(119.0 + 1.19 * index, 2),
                            "taxAmount": round(19.0 + 0.19 * index, 2),
                            "taxRatePercent": 19,
                            "categoryId": category,
                        }
                    ],
                },
            )
            assert response.status_code == 201, response.text


def test_totals_and_buckets_equal_the_sandboxs_own_vouchers(sandbox_server, alice, alice_client) -> None:
    from connections.models import SyncRun
    from connections.services import create_connection
    from connections.sync import run_sync

    org = sandbox_server.new_org(contacts=12, vouchers=80, invoices=40, seed=21)
    connection = create_connection(
        name="Books", api_key=org.api_key, owner=alice, base_url=org.base_url, rate_limit=1000
    )
    add_recent_vouchers(org)
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    expected = expected_from_sandbox(org)
    for direction in ("receivable", "payable"):  # the case is not empty: every bucket holds something
        assert all(expected[direction][key] > 0 for key in openitems.BUCKET_KEYS), expected

    body = alice_client.get("/api/v1/open-items/summary/").json()
    for direction in ("receivable", "payable"):
        assert Decimal(str(body[direction]["total"])) == expected[direction]["total"], direction
        assert body[direction]["count"] == expected[direction]["count"]
        for key in openitems.BUCKET_KEYS:
            assert Decimal(str(body[direction]["buckets"][key])) == expected[direction][key], (direction, key)
    per_contact = sum(Decimal(str(row["total"])) for row in body["contacts"])
    assert per_contact == expected["receivable"]["total"] + expected["payable"]["total"]

    page = alice_client.get("/reports/open-items/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-total="{expected["receivable"]["total"]:.2f}"' in html, html[html.find("open-totals") :][:1500]

    listed, cursor = [], None
    while True:
        response = alice_client.get(
            "/api/v1/open-items/", {"pageSize": 50, **({"cursor": cursor} if cursor else {})}
        ).json()
        listed += response["results"]
        cursor = response.get("next") and response["next"].split("cursor=")[1].split("&")[0]
        if not response.get("next"):
            break
    assert len(listed) == expected["receivable"]["count"] + expected["payable"]["count"]


def test_a_dunning_from_an_overdue_invoice_exists_in_the_sandbox_for_that_invoice(
    alice_client, synced, sandbox
) -> None:
    overdue = next(
        v
        for v in openitems.open_items(connection_ids=[synced.pk], direction="receivable", bucket="")
        if v.voucher_type == "invoice" and v.effective_due.date() < date.today()
    )
    response = alice_client.post(f"/reports/open-items/{overdue.pk}/dunning/", {"fee": "5,00"})

    assert response.status_code == 302
    dunning = SalesDocument.objects.get(connection=synced, kind="dunning")
    assert response["Location"] == f"/reports/dunnings/{dunning.pk}/pdf/"
    remote = sandbox.api("GET", f"/v1/dunnings/{dunning.lexoffice_id}").json()
    assert [r["id"] for r in remote["relatedVouchers"]] == [str(overdue.lexoffice_id)]
    pdf = alice_client.get(response["Location"])
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")
    from connections.models import AuditLog, OutboxEntry

    assert OutboxEntry.objects.get(operation="create_dunning").state == "sent"
    assert AuditLog.objects.filter(action="create_dunning", result="sent").count() == 1


def test_a_purchase_invoice_or_an_invoice_not_yet_due_cannot_be_dunned(alice_client, synced, sandbox) -> None:
    from django.utils import timezone

    purchase = Voucher.objects.filter(connection=synced, voucher_type="purchaseinvoice", open_amount__gt=0).first()
    invoice = Voucher.objects.filter(connection=synced, voucher_type="invoice", open_amount__gt=0).first()
    Voucher.objects.filter(pk=invoice.pk).update(due_date=timezone.now() + timedelta(days=3))
    before = sandbox.counters()["requests"]

    refused = alice_client.post(f"/api/v1/open-items/{purchase.pk}/dunning/", {}, content_type="application/json")
    not_due = alice_client.post(f"/api/v1/open-items/{invoice.pk}/dunning/", {}, content_type="application/json")

    assert refused.status_code == 400 and "invoices" in refused.json()["message"]
    assert not_due.status_code == 400 and "not overdue" in not_due.json()["message"]
    assert sandbox.counters()["requests"] == before  # refused locally, nothing sent
    assert not SalesDocument.objects.filter(kind="dunning").exists()


@pytest.mark.parametrize(
    "fault", [{"kind": "drop", "applyWrite": True}, {"kind": "status", "status": 504, "applyWrite": True}]
)
def test_a_dunning_whose_response_was_lost_is_found_again_not_sent_twice(synced, sandbox, alice, fault) -> None:
    from connections.writes import WriteQueued, process_entry
    from reports.dunning import push_dunning

    overdue = [
        v
        for v in openitems.open_items(connection_ids=[synced.pk], direction="receivable", bucket="")
        if v.voucher_type == "invoice" and v.effective_due.date() < date.today()
    ]
    earlier = push_dunning(voucher=overdue[0], user=alice, fee=Decimal("5"))  # same invoice, same day: not ours
    for voucher in overdue[:2]:
        sandbox.set_faults([{"path": "^/v1/dunnings/?$", "method": "POST", "rate": 1.0, "count": 1, **fault}])
        with pytest.raises(WriteQueued) as queued:  # Lexoffice made it; the answer never came
            push_dunning(voucher=voucher, user=alice, fee=Decimal("5"), remark="Zweite Mahnung")
        sandbox.clear_faults()

        lexoffice_id = process_entry(queued.value.entry.pk)  # the retry looks in the invoice first

        invoice = sandbox.api("GET", f"/v1/invoices/{voucher.lexoffice_id}").json()
        upstream = [r["id"] for r in invoice["relatedVouchers"] if r["voucherType"] == "dunning"]
        mine = [str(earlier.lexoffice_id)] if voucher == overdue[0] else []
        assert upstream == [*mine, lexoffice_id]
    assert SalesDocument.objects.filter(connection=synced, kind="dunning").count() == 1 + len(overdue[:2])
