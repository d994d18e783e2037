"""Words for the codes an e-invoice uses (UNTDID 1001, 5305, 4461; UN/ECE Rec. 20): codes never reach a page raw."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

TYPE_CODES: dict[str, Promise] = {
    "380": _("Invoice"),
    "381": _("Credit note"),
    "384": _("Corrected invoice"),
    "389": _("Self-billed invoice"),
    "326": _("Partial invoice"),
    "875": _("Partial construction invoice"),
    "876": _("Partial final construction invoice"),
    "877": _("Final construction invoice"),
    "261": _("Self-billed credit note"),
}
TAX_CATEGORIES: dict[str, Promise] = {
    "S": _("Standard rate"),
    "Z": _("Zero rated"),
    "E": _("Exempt from VAT"),
    "AE": _("Reverse charge"),
    "K": _("Intra-community supply"),
    "G": _("Export outside the EU"),
    "O": _("Not subject to VAT"),
    "L": _("Canary Islands tax"),
    "M": _("Ceuta and Melilla tax"),
}
PAYMENT_MEANS: dict[str, Promise] = {
    "1": _("Not specified"),
    "10": _("Cash"),
    "30": _("Credit transfer"),
    "31": _("Debit transfer"),
    "42": _("Payment to bank account"),
    "48": _("Bank card"),
    "49": _("Direct debit"),
    "57": _("Standing agreement"),
    "58": _("SEPA credit transfer"),
    "59": _("SEPA direct debit"),
    "97": _("Clearing between partners"),
}
UNITS: dict[str, Promise] = {
    "C62": _("pc."),
    "H87": _("pc."),
    "XPP": _("pc."),
    "HUR": _("h"),
    "MIN": _("min"),
    "DAY": _("days"),
    "WEE": _("weeks"),
    "MON": _("months"),
    "ANN": _("years"),
    "KGM": _("kg"),
    "GRM": _("g"),
    "TNE": _("t"),
    "MTR": _("m"),
    "KMT": _("km"),
    "MTK": _("m²"),
    "MTQ": _("m³"),
    "LTR": _("l"),
    "SET": _("sets"),
    "LS": _("lump sum"),
    "P1": _("%"),
    "KWH": _("kWh"),
}
PROFILES: dict[str, str] = {
    "xrechnung": "XRechnung",
    "minimum": "ZUGFeRD MINIMUM",
    "basicwl": "ZUGFeRD BASIC WL",
    "basic": "ZUGFeRD BASIC",
    "en16931": "ZUGFeRD EN 16931 (COMFORT)",
    "extended": "ZUGFeRD EXTENDED",
}


def label(table: dict[str, Promise], code: str) -> str:
    """The word for `code`, or the code itself in a neutral form when the table does not know it."""
    return str(table[code]) if code in table else (code or "—")
