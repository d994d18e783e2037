"""The bookkeeping voucher form (Beleg erfassen): header fields, items as a formset, errors back onto inputs."""

import re
from decimal import Decimal

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from connections.models import Connection
from contacts.models import Contact
from vouchers.models import Voucher

TYPE_CHOICES = [
    ("purchaseinvoice", _("Purchase invoice")),
    ("purchasecreditnote", _("Purchase credit note")),
    ("salesinvoice", _("Sales invoice")),
    ("salescreditnote", _("Sales credit note")),
]
STATUS_CHOICES = [("open", _("Open (complete)")), ("unchecked", _("To check"))]
TAX_RATES = [("19", "19 %"), ("7", "7 %"), ("0", "0 %"), ("16", "16 %"), ("5", "5 %")]
# Documented posting categories (lexoffice-api.md §9.4); the account's own ones are added from the mirror.
KNOWN_CATEGORIES = {
    "8f8664a8-fd86-11e1-a21f-0800200c9a66": "Warenverkäufe",
    "8f8664a0-fd86-11e1-a21f-0800200c9a66": "Dienstleistungen",
    "8f8664a1-fd86-11e1-a21f-0800200c9a66": "Einnahmen",
    "9075a4e3-66de-4795-a016-3889feca0d20": "Innergemeinschaftliche Lieferung",
}
HEADER_FIELDS = {
    "type": "type",
    "voucherStatus": "voucher_status",
    "voucherNumber": "voucher_number",
    "voucherDate": "voucher_date",
    "shippingDate": "shipping_date",
    "dueDate": "due_date",
    "taxType": "tax_type",
    "contactId": "contact",
    "contactName": "contact_name",
    "useCollectiveContact": "use_collective",
    "totalGrossAmount": "total_gross",
    "totalTaxAmount": "total_tax",
    "remark": "remark",
}
ITEM_FIELDS = {"amount": "amount", "taxAmount": "tax_amount", "taxRatePercent": "tax_rate", "categoryId": "category"}
LEXOFFICE_KEYS = {
    "missing_entity": _("Required by Lexoffice."),
    "invalid_value": _("Lexoffice does not accept this value."),
    "invalid_total_amount": _("Lexoffice says this does not match the items."),
    "invalid_taxamount": _("Lexoffice says the tax does not match the rate."),
    "custom_contact_name_for_referenced_contact_not_allowed": _("Only allowed with the collective contact."),
}


class VoucherForm(forms.Form):
    type = forms.ChoiceField(label=_("Voucher type"), choices=TYPE_CHOICES)
    voucher_status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, initial="open")
    voucher_number = forms.CharField(label=_("Voucher number"), required=False, max_length=100)
    voucher_date = forms.DateField(
        label=_("Voucher date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    shipping_date = forms.DateField(
        label=_("Delivery date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Sales vouchers only; the end date of a period."),
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    tax_type = forms.ChoiceField(
        label=_("Amounts are"), choices=[("gross", _("Gross (incl. tax)")), ("net", _("Net (tax added)"))]
    )
    contact = forms.CharField(label=_("Contact (number or exact name)"), required=False, max_length=255)
    use_collective = forms.BooleanField(label=_("Book on the collective contact"), required=False)
    contact_name = forms.CharField(label=_("Name shown on the collective contact"), required=False, max_length=255)
    total_gross = forms.DecimalField(
        label=_("Total gross amount"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=_("Leave empty to use the items' sum."),
    )
    total_tax = forms.DecimalField(
        label=_("Total tax amount"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=_("Leave empty to use the items' sum."),
    )
    remark = forms.CharField(label=_("Remark"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, connections=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if connections is not None and len(connections) > 1:
            self.fields["connection"] = forms.ModelChoiceField(label=_("Connection"), queryset=connections)
            self.order_fields(["connection"])


class ItemForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2)
    tax_rate = forms.TypedChoiceField(label=_("Tax rate"), choices=TAX_RATES, coerce=int, initial="19")
    tax_amount = forms.DecimalField(label=_("Tax amount"), max_digits=14, decimal_places=2)
    category = forms.CharField(
        label=_("Posting category"), max_length=64, widget=forms.TextInput(attrs={"list": "categories"})
    )


class BaseItemFormSet(forms.BaseFormSet):
    """Item labels carry the row number, so every input has a unique accessible name."""

    def _construct_form(self, i: int, **kwargs) -> ItemForm:
        return _numbered(super()._construct_form(i, **kwargs), str(i + 1))

    @property
    def empty_form(self) -> ItemForm:
        return _numbered(super().empty_form, "__number__")  # the page script fills in the number


def _numbered(form: ItemForm, number: str) -> ItemForm:
    for field in form.fields.values():
        field.label = format_lazy(_("Item {number}: {label}"), number=number, label=field.label)
    return form


ItemFormSet = forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=3, max_num=50, validate_max=True)


def resolve_contact(connection: Connection, text: str) -> Contact | None:
    """A contact of the connection by customer/vendor number or exact name."""
    contacts = Contact.objects.present().filter(connection=connection)
    if text.isdigit():
        found = contacts.filter(customer_number=int(text)).first() or contacts.filter(vendor_number=int(text)).first()
        if found:
            return found
    return contacts.filter(name__iexact=text).order_by("pk").first()


def voucher_payload(form: VoucherForm, items: list[dict], contact: Contact | None) -> dict:
    """Lexoffice's voucher JSON from the cleaned form; empty totals become the items' sums."""
    data = form.cleaned_data
    gross = data["tax_type"] == "gross"
    lines = [
        {
            "amount": float(item["amount"]),
            "taxAmount": float(item["tax_amount"]),
            "taxRatePercent": item["tax_rate"],
            "categoryId": item["category"].strip(),
        }
        for item in items
    ]
    total_gross = data.get("total_gross")
    if total_gross is None and items:
        total_gross = sum((i["amount"] if gross else i["amount"] + i["tax_amount"] for i in items), Decimal(0))
    total_tax = data.get("total_tax")
    if total_tax is None and items:
        total_tax = sum((i["tax_amount"] for i in items), Decimal(0))
    payload = {
        "type": data["type"],
        "voucherStatus": data["voucher_status"],
        "taxType": data["tax_type"],
        "voucherNumber": data.get("voucher_number") or None,
        "remark": data.get("remark") or None,
        "voucherDate": _day(data.get("voucher_date")),
        "shippingDate": _day(data.get("shipping_date")),
        "dueDate": _day(data.get("due_date")),
        "totalGrossAmount": float(total_gross) if total_gross is not None else None,
        "totalTaxAmount": float(total_tax) if total_tax is not None else None,
        "useCollectiveContact": bool(data.get("use_collective")),
        "contactId": str(contact.lexoffice_id) if contact else None,
        "contactName": data.get("contact_name") or None,
        "voucherItems": lines,
    }
    return {key: value for key, value in payload.items() if value is not None}


def _day(value) -> str | None:
    return value.isoformat() if value else None


def add_lexoffice_errors(form: VoucherForm, formset, field_errors: dict[str, list[str]]) -> None:
    """Errors keyed by Lexoffice paths (`voucherItems[1].taxAmount`) onto the inputs they are about."""
    for path, messages in field_errors.items():
        for message in messages:
            text = str(LEXOFFICE_KEYS.get(message, message))
            item = re.match(r"^voucherItems\[(\d+)\](?:\.(\w+))?$", path)
            if item and int(item.group(1)) < len(formset.forms):
                row = formset.forms[int(item.group(1))]
                name = ITEM_FIELDS.get(item.group(2) or "", "amount")
                if text not in row.errors.get(name, []):
                    row.add_error(name, text)
            elif path in HEADER_FIELDS:
                if text not in form.errors.get(HEADER_FIELDS[path], []):
                    form.add_error(HEADER_FIELDS[path], text)
            else:
                form.add_error(None, f"{path}: {text}" if path not in ("__all__", "voucherItems") else text)


def category_suggestions(connection_ids: list[int]) -> dict[str, str]:
    """Known categories plus those on the account's recent vouchers (no request on a page view)."""
    found = dict(KNOWN_CATEGORIES)
    recent = Voucher.objects.filter(connection_id__in=connection_ids, details__isnull=False).order_by("-id")
    for details in recent.values_list("details", flat=True)[:200]:
        for item in (details or {}).get("voucherItems") or []:
            if item.get("categoryId"):
                found.setdefault(item["categoryId"], "")
    return found
