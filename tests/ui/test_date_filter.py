"""The voucher lists' date range takes whole local days, as a range on the indexed column."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from connections.models import Connection
from vouchers.models import Voucher

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def dated(alice) -> dict[str, Voucher]:
    connection = Connection(name="Dates", owner=alice)
    connection.set_api_key("not-used")
    connection.save()
    moments = {
        "before": (2026, 2, 28, 23, 59),
        "first": (2026, 3, 1, 0, 0),
        "last": (2026, 3, 31, 23, 30),
        "after": (2026, 4, 1, 0, 0),
    }
    return {
        name: Voucher.objects.create(
            connection=connection,
            lexoffice_id=uuid.uuid4(),
            voucher_type="purchaseinvoice",
            voucher_status="open",
            voucher_number=f"ER-{name}",
            voucher_date=datetime(*moment, tzinfo=BERLIN),
        )
        for name, moment in moments.items()
    }


def test_the_range_includes_both_whole_days_and_nothing_else(alice_client, dated) -> None:
    with CaptureQueriesContext(db) as queries:
        page = alice_client.get("/vouchers/", {"from": "2026-03-01", "to": "2026-03-31"}).content.decode()

    assert [name for name in dated if f"ER-{name}<" in page] == ["first", "last"]
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "voucher_date" in sql and "::date" not in sql.lower() and "django_datetime_cast_date" not in sql
