"""Tables out: CSV (German Excel: UTF-8 with BOM, `;`, decimal comma; or plain UTF-8 with `,`) and XLSX with
real number and date cells. Rows arrive as an iterator and leave in chunks: nothing holds the whole table."""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from django.utils import timezone

Cell = str | int | Decimal | date | datetime | None

FORMATS = ("csv", "csv-de", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "csv-de": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"csv": "csv", "csv-de": "csv", "xlsx": "xlsx"}
ROWS_PER_CHUNK = 500


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal: str
    bom: bool


DIALECTS = {"csv": Dialect(",", ".", False), "csv-de": Dialect(";", ",", True)}


def _text(value: Cell, dialect: Dialect) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _safe(value)
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y") if dialect.decimal == "," else value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", dialect.decimal)
    return str(value)


def _safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @ and friends) is quoted as text, unless a number."""
    if text and text[0] in "=+-@\t\r" and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text.replace(",", "."))
    except ArithmeticError:
        return False
    return True


def csv_chunks(header: list[str], rows: Iterable[list[Cell]], *, fmt: str = "csv") -> Iterator[bytes]:
    """The table as CSV, in chunks of a few hundred rows."""
    dialect = DIALECTS[fmt]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow(header)
    pending = 0
    prefix = "\ufeff" if dialect.bom else ""
    for row in rows:
        writer.writerow(
            [_safe(_text(cell, dialect)) if isinstance(cell, str) else _text(cell, dialect) for cell in row]
        )
        pending += 1
        if pending >= ROWS_PER_CHUNK:
            yield (prefix + buffer.getvalue()).encode()
            prefix, pending = "", 0
            buffer.seek(0)
            buffer.truncate()
    yield (prefix + buffer.getvalue()).encode()


def _xlsx_cell(value: Cell) -> object:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        return _safe(value)
    return value


def write_xlsx(target: IO[bytes], *, title: str, header: list[str], rows: Iterable[list[Cell]]) -> None:
    """The table as an XLSX workbook in write-only mode (openpyxl keeps the rows in a temporary file)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    for row in rows:
        cells = []
        for raw in row:
            value = _xlsx_cell(raw)
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD.MM.YYYY"
                cells.append(cell)
            elif isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0.00"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    workbook.save(target)


def xlsx_chunks(*, title: str, header: list[str], rows: Iterable[list[Cell]]) -> Iterator[bytes]:
    """The XLSX workbook built into a temporary file, then read out in 64 KiB chunks."""
    with tempfile.TemporaryFile() as spool:
        write_xlsx(spool, title=title, header=header, rows=rows)
        spool.seek(0)
        while chunk := spool.read(65536):
            yield chunk


def chunks(fmt: str, *, title: str, header: list[str], rows: Iterable[list[Cell]]) -> Iterator[bytes]:
    if fmt == "xlsx":
        return xlsx_chunks(title=title, header=header, rows=rows)
    return csv_chunks(header, rows, fmt=fmt)
