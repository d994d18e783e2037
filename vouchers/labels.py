"""Names for Lexoffice's codes of vouchers, in the user's language: pages show these, never the codes."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TYPE_LABELS: dict[str, Promise] = {
    "salesinvoice": _("Sales invoice"),
    "salescreditnote": _("Sales credit note"),
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
STATUS_LABELS: dict[str, Promise] = {
    "draft": _("Draft"),
    "open": pgettext_lazy("voucher status", "Open"),
    "overdue": _("Overdue"),
    "paid": _("Paid"),
    "paidoff": _("Paid off"),
    "voided": _("Voided"),
    "transferred": _("Transferred"),
    "sepadebit": _("SEPA direct debit"),
    "accepted": _("Accepted"),
    "rejected": _("Rejected"),
    "unchecked": _("To check"),
    "blank": _("Being read"),  # a receipt Lexoffice has not read yet
}
# Badge tone per status; the label carries the meaning, the colour only repeats it.
STATUS_TONES = {"open": "warn", "overdue": "bad", "paid": "ok", "paidoff": "ok", "accepted": "ok", "rejected": "bad"}
TAX_TYPE_LABELS: dict[str, Promise] = {
    "net": _("Net"),
    "gross": _("Gross"),
    "vatfree": _("Tax-free"),
    "intraCommunitySupply": _("Intra-community supply"),
    "constructionService13b": _("Construction service (§ 13b UStG)"),
    "externalService13b": _("External service (§ 13b UStG)"),
    "thirdPartyCountryService": _("Service to a non-EU country"),
    "thirdPartyCountryDelivery": _("Delivery to a non-EU country"),
    "photovoltaicEquipment": _("Photovoltaic equipment (0 % VAT)"),
}


def type_label(code: str) -> str:
    return str(TYPE_LABELS.get(code, code))


def status_label(code: str) -> str:
    return str(STATUS_LABELS.get(code, code))


def tax_type_label(code: str) -> str:
    return str(TAX_TYPE_LABELS.get(code, code))
