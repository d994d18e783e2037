"""Keyset paging walks every row exactly once, in order, with NULLs in the ordering column."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from connections.models import Connection
from vouchers.models import Voucher
from web.listing import seek

pytestmark = pytest.mark.django_db


@pytest.fixture
def vouchers(alice) -> list[Voucher]:
    connection = Connection(name="Paging", owner=alice)
    connection.set_api_key("not-used")
    connection.save()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    # Ties on the date and undated rows (receipts Lexoffice has not read yet) both cross page borders.
    dates = [start + timedelta(days=i // 3) for i in range(23)] + [None] * 8
    return Voucher.objects.bulk_create(
        Voucher(
            connection=connection,
            lexoffice_id=uuid.uuid4(),
            voucher_type="purchaseinvoice",
            voucher_status="open",
            voucher_number=f"B-{i}",
            voucher_date=date,
        )
        for i, date in enumerate(dates)
    )


def walk(*, descending: bool, size: int) -> list[Voucher]:
    seen, cursor = [], None
    for _ in range(100):
        page = seek(Voucher.objects.all(), field="voucher_date", descending=descending, cursor=cursor, size=size)
        seen += page.rows
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("paging did not end")


@pytest.mark.parametrize("size", [1, 4, 7, 50])
@pytest.mark.parametrize("descending", [True, False])
def test_every_row_comes_once_in_order(vouchers, descending: bool, size: int) -> None:
    seen = walk(descending=descending, size=size)

    assert sorted(v.pk for v in seen) == sorted(v.pk for v in vouchers)
    dated = [v.voucher_date for v in seen if v.voucher_date is not None]
    assert dated == sorted(dated, reverse=descending)
    nulls = [i for i, v in enumerate(seen) if v.voucher_date is None]
    assert nulls == (list(range(8)) if descending else list(range(23, 31)))  # NULL is the largest value


def test_a_tampered_cursor_starts_over(vouchers) -> None:
    first = seek(Voucher.objects.all(), field="voucher_date", descending=True, cursor=None, size=5)

    again = seek(Voucher.objects.all(), field="voucher_date", descending=True, cursor="eyJub3QiOiAxfQ", size=5)

    assert [v.pk for v in again.rows] == [v.pk for v in first.rows]
