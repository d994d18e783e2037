"""Names users read for Lexoffice's codes in reports and exports: the voucher pages' names
(vouchers.labels), and "Other" rather than a raw code for one they do not know."""

from django.utils.translation import gettext_lazy as _

from vouchers.labels import STATUS_LABELS, TYPE_LABELS


def type_label(code: str) -> str:
    return str(TYPE_LABELS.get(code, _("Other")))


def status_label(code: str) -> str:
    return str(STATUS_LABELS.get(code, _("Other")))
