"""The period export: a ZIP with every document of the period, an index whose SHA-256s match, a valid DATEV batch."""

import csv
import hashlib
import io
import zipfile
from collections import Counter
from datetime import date

import openpyxl
import pytest

from reports import package, period
from reports.models import AccountMapping, PeriodExport
from tests.reports import datev_checker
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def books(alice, sandbox_server):
    """A larger account than `synced`: some 90 vouchers and invoices over a few years."""
    from connections.models import SyncRun
    from connections.services import create_connection
    from connections.sync import run_sync

    org = sandbox_server.new_org(contacts=10, vouchers=60, invoices=30, seed=7)
    connection = create_connection(
        name="Books", api_key=org.api_key, owner=alice, base_url=org.base_url, rate_limit=1000
    )
    run_sync(run_id=SyncRun.objects.create(connection=connection, kind=SyncRun.Kind.FULL).pk)
    return connection


def busiest_year(connection) -> int:
    years = Counter(
        v.year for v in Voucher.objects.filter(connection=connection).values_list("voucher_date", flat=True) if v
    )
    return years.most_common(1)[0][0]


def start(client, connection, **fields):
    data = {
        "connection": connection.pk,
        "kind": "year",
        "chart": "SKR03",
        "consultant": "29098",
        "client": "55003",
        **fields,
    }
    return client.post("/reports/period-exports/", data)


def test_a_period_export_holds_every_document_with_matching_sha256s_and_a_valid_datev_batch(
    alice_client, books, django_capture_on_commit_callbacks
) -> None:
    synced = books
    year = busiest_year(synced)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = start(alice_client, synced, year=str(year))
    assert response.status_code == 302 and len(queued) == 1
    run = PeriodExport.objects.get()
    package.run_export(run.pk)  # what the task runs
    run.refresh_from_db()
    assert run.state == "done", run.error
    expected = period.period_documents(synced, date(year, 1, 1), date(year, 12, 31))

    download = alice_client.get(f"/reports/period-exports/{run.pk}/zip/")
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == run.sha256
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    index = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode("utf-8-sig")), delimiter=";"))
    assert len(index) == expected.count() == run.documents > 0
    assert sorted(r["Number"] for r in index) == sorted(expected.values_list("voucher_number", flat=True))
    listed = [
        (name, sha)
        for r in index
        if r["Files"]
        for name, sha in zip(r["Files"].split(" | "), r["SHA-256"].split(" | "), strict=True)
    ]
    documents = [n for n in archive.namelist() if n.startswith("belege/")]
    assert sorted(name for name, _ in listed) == sorted(documents) and len(documents) == run.files
    for name, sha in listed:
        assert hashlib.sha256(archive.read(name)).hexdigest() == sha, name
    assert all(r["Files"] or r["Notes"] for r in index)  # a document without a file says why
    for name in documents:
        assert name.split("/")[1][:4] == str(year) and all(ch.isalnum() or ch in "-_." for ch in name.split("/")[1])

    xlsx = openpyxl.load_workbook(io.BytesIO(archive.read("index.xlsx")), read_only=True).active
    assert len(list(xlsx.iter_rows(values_only=True))) == len(index) + 1

    batch = next(n for n in archive.namelist() if n.startswith("EXTF_"))
    rows = datev_checker.check(archive.read(batch))
    assert len(rows) == run.bookings > 0
    assert {r[7] for r in rows} <= {"8200", "8125", "8120", "8338", "8195", "3200", "4930", "3100"}

    page = alice_client.get(f"/reports/period-exports/{run.pk}/").content.decode()
    assert run.sha256 in page


def test_bad_input_is_refused_with_a_message_and_nothing_written(alice_client, synced) -> None:
    year = busiest_year(synced)
    reversed_range = start(alice_client, synced, kind="free", start=f"{year}-05-01", end=f"{year}-04-01")
    two_years = start(alice_client, synced, kind="free", start=f"{year - 1}-12-01", end=f"{year}-01-31")
    empty = start(alice_client, synced, year="2001")
    AccountMapping.objects.create(connection=synced, chart="SKR03", category_id="sales:net", account="84A0")
    bad_account = start(alice_client, synced, year=str(year))

    assert reversed_range.status_code == 400 and "swap" in reversed_range.content.decode()
    assert two_years.status_code == 400 and "fiscal year" in two_years.content.decode()
    assert empty.status_code == 400 and "nothing in this period" in empty.content.decode()
    assert bad_account.status_code == 400 and "84A0" in bad_account.content.decode()
    assert not PeriodExport.objects.exists()
    assert not list(package.export_dir().iterdir())


def test_the_account_mapping_refuses_unknown_accounts_and_keeps_good_ones(alice_client, synced) -> None:
    url = f"/reports/connections/{synced.pk}/accounts/"
    page = alice_client.get(url)
    assert page.status_code == 200 and "sales:net" in page.content.decode()

    bad = alice_client.post(url, {"chart": "SKR04", "account-sales:net": "12"})
    good = alice_client.post(url, {"chart": "SKR04", "account-sales:net": "4400"})

    assert bad.status_code == 400
    assert good.status_code == 302
    assert AccountMapping.objects.get(connection=synced, chart="SKR04", category_id="sales:net").account == "4400"
