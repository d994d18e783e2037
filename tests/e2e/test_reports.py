"""Reports in Chromium: the charts page shows the database's numbers; an XLSX export downloads, opens with openpyxl
and sums to the list's totals; open items link to their documents."""

import hashlib
import io
import re
import zipfile
from collections import defaultdict
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from playwright.sync_api import expect

from vouchers.models import BOOKKEEPING_TYPES, File, Voucher

INCOME = ("salesinvoice", "invoice", "downpaymentinvoice")
INCOME_CREDITS = ("salescreditnote", "creditnote")


def income_by_month(connection, start: date, end: date) -> dict[str, Decimal]:
    """Independently: the database sums gross income per month (credit notes subtract)."""
    rows = (
        Voucher.objects.filter(
            connection=connection,
            deleted_upstream_at__isnull=True,
            voucher_date__date__gte=start,
            voucher_date__date__lte=end,
        )
        .exclude(voucher_status__in=("draft", "voided", "unchecked", "blank"))
        .annotate(month=TruncMonth("voucher_date"))
        .values("month", "voucher_type")
        .annotate(total=Sum("total_amount"))
    )
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row["voucher_type"] in INCOME:
            sums[f"{row['month']:%Y-%m}"] += row["total"] or 0
        elif row["voucher_type"] in INCOME_CREDITS:
            sums[f"{row['month']:%Y-%m}"] -= row["total"] or 0
    return sums


def test_the_charts_page_renders_with_the_databases_numbers(logged_in_page, synced) -> None:
    dates = sorted(
        v.date() for v in Voucher.objects.filter(connection=synced).values_list("voucher_date", flat=True) if v
    )
    start, end = date(dates[-1].year, 1, 1), date(dates[-1].year, 12, 31)
    page = logged_in_page
    page.goto(f"/reports/charts/?from={start}&to={end}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Money at a glance")
    expect(page.get_by_role("img", name="Income and expenses per month (gross)")).to_be_visible()
    expected = income_by_month(synced, start, end)
    shown = {}
    for row in page.locator("#months tbody tr").all():
        shown[row.get_attribute("data-month")] = Decimal(row.locator("td").first.get_attribute("data-value"))
    assert len(shown) == 12
    assert any(shown.values())
    for month, value in shown.items():
        assert value == expected.get(month, Decimal("0")), month
    box = page.locator("svg.chart").first.bounding_box()
    assert box is not None and box["width"] > 300  # drawn, not just present


def test_an_xlsx_export_downloaded_in_the_browser_sums_to_the_lists_totals(logged_in_page, synced) -> None:
    page = logged_in_page
    page.goto("/vouchers/?status=overdue")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")

    with open(download.path(), "rb") as file:
        workbook = openpyxl.load_workbook(io.BytesIO(file.read()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    total = rows[0].index("Total")
    expected = Voucher.objects.filter(
        connection=synced,
        deleted_upstream_at__isnull=True,
        voucher_type__in=BOOKKEEPING_TYPES,
        voucher_status="overdue",
    )
    assert len(rows) - 1 == expected.count() > 0
    assert round(sum(Decimal(str(r[total])) for r in rows[1:]), 2) == expected.aggregate(s=Sum("total_amount"))["s"]


def test_open_items_link_to_their_documents(logged_in_page, synced) -> None:
    page = logged_in_page
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Open items").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open items")
    page.locator("table.open-documents tbody tr a").first.click()
    expect(page).to_have_url(re.compile(r"/vouchers/\d+/$"))


@pytest.mark.slow
def test_a_period_export_runs_in_the_worker_with_visible_progress_and_downloads(
    logged_in_page, synced, sandbox, celery_worker
) -> None:
    from reports.models import PeriodExport

    year = Voucher.objects.filter(connection=synced).latest("voucher_date").voucher_date.year
    File.objects.filter(connection=synced).update(content="")  # nothing mirrored: the job fetches every file
    sandbox.set_faults([{"path": "^/v1/", "kind": "latency", "latencyMs": 1000}])
    page = logged_in_page
    page.goto("/reports/period-exports/")
    page.get_by_label("Period").select_option("year")
    page.get_by_label("Year", exact=True).fill(str(year))
    page.get_by_role("button", name="Start export").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Export")
    expect(page.locator("#state")).to_have_text("Running", timeout=30_000)  # progress seen while it runs
    expect(page.locator("#state")).to_have_text("Done", timeout=90_000)
    run = PeriodExport.objects.get()
    assert run.done == run.total == run.documents > 0 and run.user.username == "alice"
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download ZIP").click()
    with open(download_info.value.path(), "rb") as file:
        data = file.read()
    assert hashlib.sha256(data).hexdigest() == run.sha256
    assert "index.csv" in zipfile.ZipFile(io.BytesIO(data)).namelist()
