"""Small typed readers over lxml elements: text, Decimal and date of a path, never a guess."""

import functools
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}


@functools.lru_cache(maxsize=512)
def compiled(path: str) -> etree.XPath:
    """Paths are a few hundred constants: compiling each once makes reading several times faster."""
    return etree.XPath(path, namespaces=NS)


class Reader:
    """Reads values below one element; paths are XPath with the prefixes above."""

    def __init__(self, element: etree._Element) -> None:
        self.element = element

    def all(self, path: str) -> list["Reader"]:
        return [Reader(found) for found in compiled(path)(self.element)]

    def one(self, path: str) -> "Reader | None":
        found = compiled(path)(self.element)
        return Reader(found[0]) if found else None

    def text(self, path: str) -> str:
        found = compiled(path)(self.element)
        if not found:
            return ""
        value = found[0]
        return (value if isinstance(value, str) else (value.text or "")).strip()

    def texts(self, path: str) -> list[str]:
        return [(found.text or "").strip() for found in compiled(path)(self.element)]

    def attr(self, path: str, name: str) -> str:
        found = compiled(path)(self.element)
        return str(found[0].get(name, "")).strip() if found else ""

    def decimal(self, path: str) -> Decimal | None:
        return to_decimal(self.text(path))

    def date(self, path: str) -> date | None:
        return to_date(self.text(path))


DECIMAL = re.compile(r"^[+-]?(\d{1,20}(\.\d{0,10})?|\.\d{1,10})$")  # xsd:decimal as invoices use it


def to_decimal(text: str) -> Decimal | None:
    """The amount or quantity, or None for anything xsd:decimal would not take (exponents, NaN, 50 digits)."""
    if not DECIMAL.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def to_date(text: str) -> date | None:
    """ISO dates (UBL, 2024-03-01) and UN/CEFACT format 102 (CII, 20240301)."""
    digits = text.replace("-", "")
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
