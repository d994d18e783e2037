"""DATEV format (EXTF, header version 700): a Buchungsstapel (posting batch, format category 21, version 13).

As DATEV documents it: a header line, a column line, one line per booking; fields separated by `;`, lines by
CR LF; text in double quotes (inner quotes doubled, no line breaks); amounts positive with a decimal comma and
two decimals; Belegdatum as DDMM inside the header's date range; the file in Windows-1252 (ANSI).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

HEADER_VERSION = 700
CATEGORY = 21  # Buchungsstapel
FORMAT_NAME = "Buchungsstapel"
FORMAT_VERSION = 13
ENCODING = "cp1252"
CHARTS = {"SKR03": "03", "SKR04": "04"}
ACCOUNT_LENGTH = 4  # Sachkontenlänge; personal accounts (Debitoren/Kreditoren) have one digit more

COLUMNS = (
    [
        "Umsatz (ohne Soll/Haben-Kz)", "Soll/Haben-Kennzeichen", "WKZ Umsatz", "Kurs", "Basis-Umsatz",
        "WKZ Basis-Umsatz", "Konto", "Gegenkonto (ohne BU-Schlüssel)", "BU-Schlüssel", "Belegdatum", "Belegfeld 1",
        "Belegfeld 2", "Skonto", "Buchungstext", "Postensperre", "Diverse Adressnummer", "Geschäftspartnerbank",
        "Sachverhalt", "Zinssperre", "Beleglink",
    ]
    + [f"Beleginfo - {part} {n}" for n in range(1, 9) for part in ("Art", "Inhalt")]
    + [
        "KOST1 - Kostenstelle", "KOST2 - Kostenstelle", "Kost-Menge", "EU-Land u. UStID (Bestimmung)",
        "EU-Steuersatz (Bestimmung)", "Abw. Versteuerungsart", "Sachverhalt L+L", "Funktionsergänzung L+L",
        "BU 49 Hauptfunktionstyp", "BU 49 Hauptfunktionsnummer", "BU 49 Funktionsergänzung",
    ]
    + [name for n in range(1, 21) for name in (f"Zusatzinformation - Art {n}", f"Zusatzinformation- Inhalt {n}")]
    + [
        "Stück", "Gewicht", "Zahlweise", "Forderungsart", "Veranlagungsjahr", "Zugeordnete Fälligkeit", "Skontotyp",
        "Auftragsnummer", "Buchungstyp", "USt-Schlüssel (Anzahlungen)", "EU-Land (Anzahlungen)",
        "Sachverhalt L+L (Anzahlungen)", "EU-Steuersatz (Anzahlungen)", "Erlöskonto (Anzahlungen)", "Herkunft-Kz",
        "Buchungs GUID", "KOST-Datum", "SEPA-Mandatsreferenz", "Skontosperre", "Gesellschaftername",
        "Beteiligtennummer", "Identifikationsnummer", "Zeichnernummer", "Postensperre bis",
        "Bezeichnung SoBil-Sachverhalt", "Kennzeichen SoBil-Buchung", "Festschreibung", "Leistungsdatum",
        "Datum Zuord. Steuerperiode", "Fälligkeit", "Generalumkehr (GU)", "Steuersatz", "Land",
        "Abrechnungsreferenz", "BVV-Position", "EU-Land u. UStID (Ursprung)", "EU-Steuersatz (Ursprung)",
        "Abw. Skontokonto",
    ]
)  # fmt: skip
assert len(COLUMNS) == 125  # format version 13
COLUMN = {name: index for index, name in enumerate(COLUMNS)}

# DATEV tax keys (BU-Schlüssel) for general (non-automatic) accounts, by tax rate: output VAT on revenue,
# input VAT on expenses. 0 %: no key. A rate without a key is listed, never booked with a guessed one.
OUTPUT_TAX_KEYS = {Decimal("19"): "3", Decimal("7"): "2", Decimal("16"): "5"}
INPUT_TAX_KEYS = {Decimal("19"): "9", Decimal("7"): "8", Decimal("16"): "7"}

# Default accounts by the Lexoffice posting category's name (ids differ between accounts and over time);
# the user's mapping overrides them. General accounts, so the tax key carries the VAT.
DEFAULT_ACCOUNTS = {
    "SKR03": {
        "Warenverkäufe": "8200", "Dienstleistungen": "8200", "Einnahmen": "8200",
        "Innergemeinschaftliche Lieferung": "8125", "Ausfuhrlieferungen an Drittländer": "8120",
        "Dienstleistungen an Drittländer": "8338", "Einnahmen als Kleinunternehmer": "8195",
        "Wareneingang": "3200", "Bürobedarf": "4930", "Fremdleistungen": "3100",
    },
    "SKR04": {
        "Warenverkäufe": "4200", "Dienstleistungen": "4200", "Einnahmen": "4200",
        "Innergemeinschaftliche Lieferung": "4125", "Ausfuhrlieferungen an Drittländer": "4120",
        "Dienstleistungen an Drittländer": "4338", "Einnahmen als Kleinunternehmer": "4185",
        "Wareneingang": "5200", "Bürobedarf": "6815", "Fremdleistungen": "5900",
    },
}  # fmt: skip
# Invoices from Lexoffice's invoicing carry no posting category: they are booked by their tax type.
SALES_CATEGORIES = {
    "sales:net": "Rechnungen (Netto)",
    "sales:gross": "Rechnungen (Brutto)",
    "sales:vatfree": "Rechnungen (steuerfrei)",
    "sales:intraCommunitySupply": "Rechnungen (innergemeinschaftliche Lieferung)",
    "sales:thirdPartyCountryDelivery": "Rechnungen (Ausfuhrlieferung)",
    "sales:thirdPartyCountryService": "Rechnungen (Dienstleistung Drittland)",
}
SALES_DEFAULTS = {
    "SKR03": {"sales:net": "8200", "sales:gross": "8200", "sales:intraCommunitySupply": "8125",
              "sales:thirdPartyCountryDelivery": "8120", "sales:thirdPartyCountryService": "8338"},
    "SKR04": {"sales:net": "4200", "sales:gross": "4200", "sales:intraCommunitySupply": "4125",
              "sales:thirdPartyCountryDelivery": "4120", "sales:thirdPartyCountryService": "4338"},
}  # fmt: skip
DEBTOR_COLLECTIVE = "10000"  # Sammelkunde / Sammellieferant when a contact has no number in range
CREDITOR_COLLECTIVE = "70000"


def valid_ledger_account(account: str) -> bool:
    """A G/L account (Sachkonto): exactly the batch's account length, digits only, not a personal account."""
    return account.isdigit() and len(account) == ACCOUNT_LENGTH and not account.startswith("0")


def debtor_account(number: int | None) -> str:
    return str(number) if number is not None and 10000 <= number <= 69999 else DEBTOR_COLLECTIVE


def creditor_account(number: int | None) -> str:
    return str(number) if number is not None and 70000 <= number <= 99999 else CREDITOR_COLLECTIVE


@dataclass(frozen=True)
class Booking:
    amount: Decimal  # gross, positive
    debit: bool  # Soll/Haben of `account`
    account: str  # the personal account (debtor/creditor)
    counter_account: str  # the G/L account of the category
    tax_key: str
    day: date
    number: str
    text: str
    due: date | None = None


def _text(value: str, limit: int) -> str:
    clean = " ".join(value.split())  # no control characters or line breaks inside a field
    clean = clean.encode(ENCODING, "replace").decode(ENCODING)[:limit]
    return '"' + clean.replace('"', '""') + '"'


def document_field(number: str) -> str:
    """Belegfeld 1: up to 36 of the characters DATEV allows there (letters, digits, $ & % * + - /)."""
    allowed = "".join(ch for ch in number if ch.isascii() and (ch.isalnum() or ch in "$&%*+-/"))
    return allowed[:36]


def amount_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}".replace(".", ",")


def header_line(
    *, created: datetime, consultant: int, client: int, start: date, end: date, chart: str, title: str, user: str
) -> list[str]:
    fields = [
        '"EXTF"', str(HEADER_VERSION), str(CATEGORY), f'"{FORMAT_NAME}"', str(FORMAT_VERSION),
        created.strftime("%Y%m%d%H%M%S") + f"{created.microsecond // 1000:03d}", "", '"RE"', _text(user, 25), '""',
        str(consultant), str(client), f"{start.year}0101", str(ACCOUNT_LENGTH), start.strftime("%Y%m%d"),
        end.strftime("%Y%m%d"), _text(title, 30), '""', "1", "0", "0", '"EUR"', "", '""', "", "",
        f'"{CHARTS[chart]}"', "", "", '""', '""',
    ]  # fmt: skip
    return fields


def booking_line(booking: Booking) -> list[str]:
    row = [""] * len(COLUMNS)
    row[COLUMN["Umsatz (ohne Soll/Haben-Kz)"]] = amount_text(booking.amount)
    row[COLUMN["Soll/Haben-Kennzeichen"]] = '"S"' if booking.debit else '"H"'
    row[COLUMN["WKZ Umsatz"]] = '"EUR"'
    row[COLUMN["Konto"]] = booking.account
    row[COLUMN["Gegenkonto (ohne BU-Schlüssel)"]] = booking.counter_account
    row[COLUMN["BU-Schlüssel"]] = f'"{booking.tax_key}"' if booking.tax_key else ""
    row[COLUMN["Belegdatum"]] = booking.day.strftime("%d%m")
    row[COLUMN["Belegfeld 1"]] = f'"{document_field(booking.number)}"'
    row[COLUMN["Buchungstext"]] = _text(booking.text, 60)
    row[COLUMN["Leistungsdatum"]] = booking.day.strftime("%d%m%Y")
    if booking.due is not None:
        row[COLUMN["Fälligkeit"]] = booking.due.strftime("%d%m%Y")
    for index, value in enumerate(row):
        if value == "" and _is_text_column(index):
            row[index] = '""'
    return row


TEXT_COLUMNS = {
    "WKZ Umsatz", "WKZ Basis-Umsatz", "BU-Schlüssel", "Belegfeld 1", "Belegfeld 2", "Buchungstext",
    "Diverse Adressnummer", "Beleglink", "KOST1 - Kostenstelle", "KOST2 - Kostenstelle",
    "EU-Land u. UStID (Bestimmung)", "Abw. Versteuerungsart", "Auftragsnummer", "Buchungs GUID",
    "SEPA-Mandatsreferenz", "Gesellschaftername", "Identifikationsnummer", "Zeichnernummer",
    "Bezeichnung SoBil-Sachverhalt", "Land", "Abrechnungsreferenz", "EU-Land u. UStID (Ursprung)",
}  # fmt: skip
TEXT_COLUMNS |= {name for name in COLUMNS if name.startswith(("Beleginfo", "Zusatzinformation"))}


def _is_text_column(index: int) -> bool:
    return COLUMNS[index] in TEXT_COLUMNS and COLUMNS[index] != "BU-Schlüssel"


def batch_bytes(header: list[str], bookings: Iterable[Booking]) -> Iterable[bytes]:
    """The file, line by line, in Windows-1252 with CR LF."""
    yield (";".join(header) + "\r\n").encode(ENCODING)
    yield (";".join(COLUMNS) + "\r\n").encode(ENCODING)
    for booking in bookings:
        yield (";".join(booking_line(booking)) + "\r\n").encode(ENCODING, "replace")
