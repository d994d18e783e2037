"""Names in the user's language for codes that reach pages outside the voucher lists (vouchers/labels.py):
audit actions and results, countries."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

AUDIT_ACTIONS: dict[str, Promise] = {
    "create_contact": _("Contact created"),
    "update_contact": _("Contact changed"),
    "create_voucher": _("Voucher created"),
    "update_voucher": _("Voucher changed"),
    "upload_file": _("File uploaded"),
    "api_call": _("API call"),
}
AUDIT_RESULTS: dict[str, Promise] = {
    "sent": _("sent"),
    "found": _("found"),
    "queued": _("queued"),
    "rejected": _("rejected"),
    "unknown": _("unknown"),
    "ok": _("OK"),
    "error": _("error"),
    "refused": _("refused"),
    "failed": _("failed"),
}
# The phases of a sync run (the sync steps' names, connections/hooks.py).
SYNC_PHASES: dict[str, Promise] = {
    "contacts": _("contacts"),
    "vouchers": _("vouchers"),
    "invoices": _("invoices"),
    "files": _("files"),
    "done": _("done"),
}
# The kinds of a contact's email addresses and phone numbers.
CONTACT_KINDS: dict[str, Promise] = {
    "business": _("business"),
    "office": _("office"),
    "private": _("private"),
    "mobile": _("mobile"),
    "fax": _("fax"),
    "other": _("other"),
}
# The countries a German small business meets most; any other code is shown as it is (ISO 3166-1).
COUNTRIES: dict[str, Promise] = {
    "DE": _("Germany"),
    "AT": _("Austria"),
    "CH": _("Switzerland"),
    "NL": _("Netherlands"),
    "BE": _("Belgium"),
    "LU": _("Luxembourg"),
    "FR": _("France"),
    "IT": _("Italy"),
    "ES": _("Spain"),
    "PT": _("Portugal"),
    "PL": _("Poland"),
    "CZ": _("Czechia"),
    "DK": _("Denmark"),
    "SE": _("Sweden"),
    "NO": _("Norway"),
    "FI": _("Finland"),
    "IE": _("Ireland"),
    "GB": _("United Kingdom"),
    "US": _("United States"),
    "HU": _("Hungary"),
    "GR": _("Greece"),
    "HR": _("Croatia"),
    "SI": _("Slovenia"),
    "SK": _("Slovakia"),
    "RO": _("Romania"),
    "BG": _("Bulgaria"),
    "LI": _("Liechtenstein"),
    "TR": _("Turkey"),
    "CN": _("China"),
}


def label(table: dict[str, Promise], code: str | None) -> str:
    if not code:
        return "\u2014"
    return str(table.get(code, code))
