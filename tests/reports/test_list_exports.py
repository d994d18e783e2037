"""List exports: the list's own filters, every row, real numbers and dates, sums equal to the database's."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum

from contacts.models import Contact
from vouchers.models import BOOKKEEPING_TYPES, SALES_TYPES, Voucher

pytestmark = pytest.mark.django_db


def download(client, url: str, params: dict) -> bytes:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content)


def test_an_xlsx_export_of_the_voucher_list_opens_and_its_sums_equal_the_database(alice_client, synced) -> None:
    filters = {"status": "overdue", "from": "2000-01-01"}
    data = download(alice_client, "/reports/export/vouchers/", {**filters, "format": "xlsx"})

    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    total, opened = header.index("Total"), header.index("Open")
    expected = Voucher.objects.present().filter(
        connection=synced, voucher_type__in=BOOKKEEPING_TYPES, voucher_status="overdue"
    )
    sums = expected.aggregate(total=Sum("total_amount"), open=Sum("open_amount"))
    assert len(body) == expected.count() > 0
    assert round(sum(Decimal(str(r[total])) for r in body), 2) == round(sums["total"], 2)
    assert round(sum(Decimal(str(r[opened] or 0)) for r in body), 2) == round(sums["open"], 2)
    assert all(isinstance(r[total], int | float) for r in body)  # real number cells
    assert all(hasattr(r[0], "year") for r in body)  # real date cells
    assert {r[header.index("Status")] for r in body} == {"Overdue"}  # a label, never Lexoffice's code


def test_a_german_csv_of_the_invoice_list_uses_bom_semicolons_and_decimal_commas(alice_client, synced) -> None:
    data = download(alice_client, "/reports/export/invoices/", {"format": "csv-de", "sort": "-amount"})

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    total = header.index("Total")
    expected = (
        Voucher.objects.present().filter(connection=synced, voucher_type__in=SALES_TYPES).exclude(total_amount=None)
    )
    amounts = [Decimal(r[total].replace(",", ".")) for r in body if r[total]]
    assert amounts == sorted(amounts, reverse=True)
    assert sum(amounts) == expected.aggregate(s=Sum("total_amount"))["s"]
    assert all("." not in r[total] for r in body)


def test_a_plain_csv_of_the_contacts_keeps_the_role_filter(alice_client, synced) -> None:
    data = download(alice_client, "/reports/export/contacts/", {"format": "csv", "role": "vendor"})

    rows = list(csv.reader(io.StringIO(data.decode())))
    names = sorted(r[0] for r in rows[1:])
    assert names == sorted(
        Contact.objects.present().filter(connection=synced, is_vendor=True).values_list("name", flat=True)
    )


def test_an_export_of_open_items_and_a_bad_format(alice_client, synced) -> None:
    data = download(alice_client, "/reports/export/open-items/", {"format": "xlsx", "direction": "receivable"})
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    summary = alice_client.get("/api/v1/open-items/summary/", {"direction": "receivable"}).json()
    opened = rows[0].index("Open")
    assert round(sum(Decimal(str(r[opened])) for r in rows[1:]), 2) == Decimal(str(summary["receivable"]["total"]))

    bad = alice_client.get("/reports/export/open-items/", {"format": "pdf"})
    assert bad.status_code == 400 and b"csv" in bad.content


def test_others_export_nothing_of_alices(bob_client, synced) -> None:
    data = download(bob_client, "/reports/export/vouchers/", {"format": "csv"})
    assert data.count(b"\r\n") == 1  # the header only
