"""The period export through the REST API; a file Lexoffice cannot give is listed and the export still finishes."""

import io
import zipfile

import pytest

from reports import package
from reports.models import AccountMapping, PeriodExport
from vouchers.models import File

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_unfetchable_file_is_listed_with_its_reason_and_the_export_finishes(
    alice_client, synced, sandbox, django_capture_on_commit_callbacks
) -> None:
    file = File.objects.filter(connection=synced, voucher__isnull=False).select_related("voucher").first()
    File.objects.filter(pk=file.pk).update(content="")  # not mirrored yet
    sandbox.set_faults([{"path": f"^/v1/files/{file.lexoffice_id}$", "kind": "status", "status": 404}])
    year = file.voucher.voucher_date.year
    body = {"connection": synced.pk, "start": f"{year}-01-01", "end": f"{year}-12-31", "chart": "SKR04"}

    with django_capture_on_commit_callbacks(execute=False):
        created = alice_client.post("/api/v1/period-exports/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    package.run_export(created.json()["id"])
    run = alice_client.get(f"/api/v1/period-exports/{created.json()['id']}/").json()

    assert run["state"] == "done" and run["chart"] == "SKR04" and run["user"] == "alice"
    assert any(
        file.voucher.voucher_number == p["document"] and str(file.lexoffice_id) in p["reason"] for p in run["problems"]
    )
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(alice_client.get(f"/api/v1/period-exports/{run['id']}/zip/").streaming_content))
    )
    assert "hinweise.csv" in archive.namelist()
    assert str(file.lexoffice_id) in archive.read("hinweise.csv").decode("utf-8-sig")


def test_the_api_refuses_bad_input_and_hides_other_peoples_exports(alice_client, bob_client, synced) -> None:
    reversed_range = alice_client.post(
        "/api/v1/period-exports/",
        {"connection": synced.pk, "start": "2025-03-01", "end": "2025-02-01"},
        content_type="application/json",
    )
    bad_mapping = alice_client.put(
        f"/api/v1/period-exports/mapping/{synced.pk}/",
        [{"chart": "SKR03", "categoryId": "sales:net", "account": "99999"}],
        content_type="application/json",
    )
    good_mapping = alice_client.put(
        f"/api/v1/period-exports/mapping/{synced.pk}/",
        [{"chart": "SKR03", "categoryId": "sales:net", "account": "8400"}],
        content_type="application/json",
    )
    foreign = bob_client.post(
        "/api/v1/period-exports/",
        {"connection": synced.pk, "start": "2025-01-01", "end": "2025-01-31"},
        content_type="application/json",
    )

    assert reversed_range.status_code == 400
    assert bad_mapping.status_code == 400 and "99999" in str(bad_mapping.json())
    assert good_mapping.status_code == 200 and good_mapping.json()[0]["account"] == "8400"
    assert AccountMapping.objects.get().account == "8400"
    assert foreign.status_code == 400  # bob cannot name alice's connection
    assert bob_client.get(f"/api/v1/period-exports/mapping/{synced.pk}/").status_code == 404
    assert not PeriodExport.objects.exists()
