"""An independent check of a DATEV EXTF Buchungsstapel (header version 700, format version 13), written from
DATEV's documented rules: field expressions of the header and of each booking, column count, encoding."""

import re
from datetime import date

HEADER_RULES = {
    0: r'"(EXTF|DTVF)"',
    1: r"700",
    2: r"21",
    3: r'"Buchungsstapel"',
    4: r"13",
    5: r"\d{17}",
    6: r"",
    7: r'"[A-Z]{2}"',
    8: r'"[^"]{0,25}"',
    9: r'"[^"]{0,25}"',
    10: r"\d{4,7}",
    11: r"\d{1,5}",
    12: r"\d{4}0101",
    13: r"[4-8]",
    14: r"\d{8}",
    15: r"\d{8}",
    16: r'"[^"]{0,30}"',
    17: r'"[^"]{0,2}"',
    18: r"[12]",
    19: r"(0|30|40|50|64)?",
    20: r"[01]",
    21: r'"[A-Z]{3}"',
    26: r'"(03|04)"',
}
BOOKING_RULES = {
    0: r"\d{1,10},\d{2}",  # Umsatz, positive, decimal comma
    1: r'"(S|H)"',
    2: r'"[A-Z]{3}"',
    6: r"\d{1,9}",  # Konto
    7: r"\d{1,9}",  # Gegenkonto
    8: r'("\d{1,4}")?',  # BU-Schlüssel
    9: r"\d{4}",  # Belegdatum DDMM
    10: r'"[A-Za-z0-9$&%*+\-/]{0,36}"',  # Belegfeld 1
    13: r'"(?:[^"\r\n]|""){0,60}"',  # Buchungstext, at most 60 characters (inner quotes doubled)
}
COLUMN_COUNT = 125


def split(line: str) -> list[str]:
    """Fields split on ; outside quotes (doubled quotes stay inside a field)."""
    fields, current, quoted = [], "", False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            fields.append(current)
            current = ""
        else:
            current += ch
    fields.append(current)
    return fields


def check(data: bytes) -> list[list[str]]:
    """Assert every rule; returns the booking rows."""
    assert b"\r\n" in data and data.endswith(b"\r\n")
    text = data.decode("cp1252")  # DATEV reads ANSI
    lines = text.split("\r\n")[:-1]
    header = split(lines[0])
    assert len(header) >= 27, len(header)
    for index, rule in HEADER_RULES.items():
        assert re.fullmatch(rule, header[index]), (index, header[index])
    start, end = date(*_ymd(header[14])), date(*_ymd(header[15]))
    assert start <= end and start.year == end.year
    assert header[12] == f"{start.year}0101"
    account_length = int(header[13])
    columns = lines[1].split(";")
    assert (
        len(columns) == COLUMN_COUNT
        and columns[0] == "Umsatz (ohne Soll/Haben-Kz)"
        and columns[124] == "Abw. Skontokonto"
    )
    rows = []
    for line in lines[2:]:
        row = split(line)
        assert len(row) == COLUMN_COUNT, len(row)
        for index, rule in BOOKING_RULES.items():
            assert re.fullmatch(rule, row[index]), (index, row[index], line[:120])
        assert float(row[0].replace(",", ".")) > 0
        for account in (row[6], row[7]):
            assert len(account) in (account_length, account_length + 1), account  # G/L or personal account
        day = date(start.year, int(row[9][2:]), int(row[9][:2]))
        assert start <= day <= end, (day, start, end)
        if row[114]:
            assert re.fullmatch(r"\d{8}", row[114])
        rows.append(row)
    return rows


def _ymd(value: str) -> tuple[int, int, int]:
    return int(value[:4]), int(value[4:6]), int(value[6:])
