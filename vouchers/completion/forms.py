"""The completion form: what Lexoffice requires to turn an `unchecked` voucher into an `open` one."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

RATES = (19, 7, 0)
TYPE_CHOICES = [
    ("purchaseinvoice", _("Purchase invoice (Eingangsrechnung)")),
    ("purchasecreditnote", _("Purchase credit note (Eingangsgutschrift)")),
    ("salesinvoice", _("Sales invoice (Ausgangsrechnung)")),
    ("salescreditnote", _("Sales credit note (Ausgangsgutschrift)")),
]


class CompletionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    type = forms.ChoiceField(label=_("Voucher type"), choices=TYPE_CHOICES)
    voucher_number = forms.CharField(label=_("Voucher number (Belegnummer)"), max_length=100)
    voucher_date = forms.DateField(label=_("Voucher date (Belegdatum)"), widget=forms.DateInput(attrs={"type": "date"}))
    due_date = forms.DateField(
        label=_("Due date (Fälligkeit)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    contact = forms.CharField(
        label=_("Contact (number or exact name)"),
        required=False,
        max_length=255,
        help_text=_("Leave empty to book on the collective contact under the name below."),
    )
    contact_name = forms.CharField(label=_("Supplier or customer name"), required=False, max_length=255)
    remark = forms.CharField(label=_("Remark"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: object, categories: list[tuple[str, list[tuple[str, str]]]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices: list[Any] = [("", "—"), *categories]
        for rate in RATES:
            self.fields[f"gross_{rate}"] = forms.DecimalField(
                label=_("Gross amount at %(rate)s %%") % {"rate": rate},
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
            )
            self.fields[f"category_{rate}"] = forms.ChoiceField(
                label=_("Posting category at %(rate)s %%") % {"rate": rate}, required=False, choices=choices
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lines = [rate for rate in RATES if data.get(f"gross_{rate}")]
        if not lines:
            raise forms.ValidationError(_("Enter the gross amount of at least one tax rate."))
        for rate in lines:
            if not data.get(f"category_{rate}"):
                self.add_error(f"category_{rate}", _("Choose the posting category for this amount."))
        if not data.get("contact") and not data.get("contact_name"):
            self.add_error("contact_name", _("Name the supplier or customer, or choose a contact."))
        return data
