"""Names users read for Lexoffice's codes (voucher types and statuses): codes never reach a page or a file."""

from django.utils.translation import gettext_lazy as _

TYPE_LABELS = {
    "salesinvoice": _("Sales voucher"),
    "salescreditnote": _("Sales credit voucher"),
    "purchaseinvoice": _("Purchase invoice"),
    "purchasecreditnote": _("Purchase credit note"),
    "invoice": _("Invoice"),
    "downpaymentinvoice": _("Down payment invoice"),
    "creditnote": _("Credit note"),
    "orderconfirmation": _("Order confirmation"),
    "quotation": _("Quotation"),
    "deliverynote": _("Delivery note"),
    "dunning": _("Dunning"),
}
STATUS_LABELS = {
    "draft": _("Draft"),
    "open": _("Open"),
    "overdue": _("Overdue"),
    "paid": _("Paid"),
    "paidoff": _("Settled"),
    "voided": _("Voided"),
    "transferred": _("Transferred"),
    "sepadebit": _("SEPA direct debit"),
    "accepted": _("Accepted"),
    "rejected": _("Rejected"),
    "unchecked": _("To be checked"),
    "blank": _("Being read"),
}


def type_label(code: str) -> str:
    return str(TYPE_LABELS.get(code, _("Other")))


def status_label(code: str) -> str:
    return str(STATUS_LABELS.get(code, _("Other")))
