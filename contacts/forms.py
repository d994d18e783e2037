"""The contact form: flat fields for every writable Lexoffice contact field, and the way back and forth.

The form edits a copy of the contact's JSON (`raw`), so fields it does not show travel along
unchanged and only what the user touched differs from the version they edited.
"""

import copy
import re

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from contacts.validation import EMAIL_TYPES, PHONE_TYPES
from web.labels import CONTACT_KINDS

ADDRESS_PARTS = (
    ("supplement", _("address supplement")),
    ("street", _("street and number")),
    ("zip", _("postcode")),
    ("city", _("city")),
    ("countryCode", _("country code")),
)
ADDRESS_KINDS = {"billing": _("Billing"), "shipping": _("Shipping")}
PERSON_PARTS = ("salutation", "firstName", "lastName", "emailAddress", "phoneNumber")

# Lexoffice's error keys (legacy IssueList) in words a user can act on.
LEXOFFICE_KEYS = {
    "missing_entity": _("Required by Lexoffice."),
    "invalid_value": _("Lexoffice does not accept this value."),
    "countrycode_is_not_valid": _("Not a country code Lexoffice knows (use e.g. DE, AT, CH)."),
    "not_found": _("Lexoffice does not know this record."),
}


class ContactForm(forms.Form):
    """Labels are part of the UI contract (browser tests find inputs by them): keep them unique."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    is_customer = forms.BooleanField(label=_("Customer"), required=False)
    is_vendor = forms.BooleanField(label=_("Vendor"), required=False)
    company_name = forms.CharField(label=_("Company name"), required=False, max_length=255)
    tax_number = forms.CharField(label=_("Tax number (Steuernummer)"), required=False, max_length=60)
    vat_id = forms.CharField(label=_("VAT ID (USt-IdNr.)"), required=False, max_length=60)
    allow_tax_free = forms.BooleanField(label=_("Allow tax-free invoices"), required=False)
    cp_salutation = forms.CharField(label=_("Contact person salutation"), required=False, max_length=25)
    cp_firstName = forms.CharField(label=_("Contact person given name"), required=False, max_length=255)
    cp_lastName = forms.CharField(label=_("Contact person surname"), required=False, max_length=255)
    cp_emailAddress = forms.CharField(label=_("Contact person email"), required=False, max_length=255)
    cp_phoneNumber = forms.CharField(label=_("Contact person phone"), required=False, max_length=100)
    cp_primary = forms.BooleanField(label=_("Primary contact person (printed on documents)"), required=False)
    salutation = forms.CharField(label=_("Salutation"), required=False, max_length=25)
    first_name = forms.CharField(label=_("First name"), required=False, max_length=255)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=255)
    buyer_reference = forms.CharField(
        label=_("Leitweg-ID"),
        required=False,
        max_length=100,
        help_text=_("XRechnung buyer reference of a public-sector client."),
    )
    vendor_number_at_customer = forms.CharField(
        label=_("Our supplier number there (Lieferantennummer)"),
        required=False,
        max_length=100,
        help_text=_("Required with a Leitweg-ID."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, connections=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind in ("billing", "shipping"):
            for part, words in ADDRESS_PARTS:
                self.fields[f"{kind}_{part}"] = forms.CharField(
                    # Translators: e.g. "Billing street and number"
                    label=format_lazy(_("{kind} {part}"), kind=ADDRESS_KINDS[kind], part=words),
                    required=False,
                    max_length=255,
                )
        for kind in EMAIL_TYPES:
            self.fields[f"email_{kind}"] = forms.CharField(
                label=format_lazy(_("Email ({kind})"), kind=CONTACT_KINDS[kind]), required=False, max_length=255
            )
        for kind in PHONE_TYPES:
            self.fields[f"phone_{kind}"] = forms.CharField(
                label=format_lazy(_("Phone ({kind})"), kind=CONTACT_KINDS[kind]), required=False, max_length=100
            )
        if connections is not None and len(connections) > 1:
            self.fields["connection"] = forms.ModelChoiceField(label=_("Connection"), queryset=connections)
        self.order_fields(["connection"])

    @property
    def groups(self) -> dict[str, list]:
        """Bound fields per fieldset of the template."""
        names = {
            "roles": ["is_customer", "is_vendor"],
            "company": ["company_name", "tax_number", "vat_id"],
            "contact_person": ["cp_salutation", "cp_firstName", "cp_lastName", "cp_emailAddress", "cp_phoneNumber"],
            "person": ["salutation", "first_name", "last_name"],
            "billing": [f"billing_{part}" for part, _words in ADDRESS_PARTS],
            "shipping": [f"shipping_{part}" for part, _words in ADDRESS_PARTS],
            "emails": [f"email_{kind}" for kind in EMAIL_TYPES],
            "phones": [f"phone_{kind}" for kind in PHONE_TYPES],
            "xrechnung": ["buyer_reference", "vendor_number_at_customer"],
        }
        return {group: [self[name] for name in fields] for group, fields in names.items()}

    def add_lexoffice_errors(self, field_errors: dict[str, list[str]]) -> None:
        """Put errors keyed by Lexoffice paths next to the inputs they are about."""
        for path, messages in field_errors.items():
            name = field_for_path(path)
            for message in messages:
                text = str(LEXOFFICE_KEYS.get(message, message))
                if name is None or name not in self.fields:
                    self.add_error(None, f"{path}: {text}" if path not in ("__all__", "version") else text)
                elif text not in self.errors.get(name, []):
                    self.add_error(name, text)


def field_for_path(path: str) -> str | None:
    """The form field for a Lexoffice field path such as `addresses.billing[0].countryCode`."""
    parts = [re.sub(r"\[\d+\]$", "", part) for part in re.split(r"\.|\s+(?:or|and)\s+", path) if part]
    parts = [part for part in parts if part != "size"]
    if not parts:
        return None
    head, rest = parts[0], parts[1:]
    leaf = rest[-1] if rest else ""
    if head == "roles":
        return "is_vendor" if leaf == "vendor" and "customer" not in parts else "is_customer"
    if head == "company" and "person" not in parts:
        if len(rest) >= 2 and rest[0] == "contactPersons":
            return f"cp_{leaf}" if leaf in PERSON_PARTS else "cp_lastName"
        if rest == ["contactPersons"]:
            return "cp_lastName"
        return {"taxNumber": "tax_number", "vatRegistrationId": "vat_id", "allowTaxFreeInvoices": "allow_tax_free"}.get(
            leaf, "company_name"
        )
    if head in ("company", "person") and not rest:
        return "company_name"
    if head == "person":
        return {"salutation": "salutation", "firstName": "first_name"}.get(leaf, "last_name")
    if head == "addresses" and rest and rest[0] in ("billing", "shipping"):
        part = leaf if len(rest) > 1 and leaf in dict(ADDRESS_PARTS) else "street"
        return f"{rest[0]}_{part}"
    if head in ("emailAddresses", "phoneNumbers") and rest:
        return f"{'email' if head == 'emailAddresses' else 'phone'}_{rest[0]}"
    if head == "xRechnung":
        return "buyer_reference" if leaf == "buyerReference" else "vendor_number_at_customer"
    if head == "note":
        return "note"
    return None


def initial_from(raw: dict, version: int | None) -> dict:
    """Form values for a contact's JSON (the first entry of each list: Lexoffice writes one)."""
    company, person = raw.get("company") or {}, raw.get("person") or {}
    roles = raw.get("roles") or {}
    contact_person = (company.get("contactPersons") or [{}])[0]
    xrechnung = raw.get("xRechnung") or {}
    initial = {
        "version": version,
        "is_customer": "customer" in roles,
        "is_vendor": "vendor" in roles,
        "company_name": company.get("name", ""),
        "tax_number": company.get("taxNumber", ""),
        "vat_id": company.get("vatRegistrationId", ""),
        "allow_tax_free": bool(company.get("allowTaxFreeInvoices")),
        "cp_primary": bool(contact_person.get("primary")),
        "salutation": person.get("salutation", ""),
        "first_name": person.get("firstName", ""),
        "last_name": person.get("lastName", ""),
        "buyer_reference": xrechnung.get("buyerReference", ""),
        "vendor_number_at_customer": xrechnung.get("vendorNumberAtCustomer", ""),
        "note": raw.get("note", ""),
    }
    initial |= {f"cp_{part}": contact_person.get(part, "") for part in PERSON_PARTS}
    for kind in ("billing", "shipping"):
        address = ((raw.get("addresses") or {}).get(kind) or [{}])[0]
        initial |= {f"{kind}_{part}": address.get(part, "") for part, _words in ADDRESS_PARTS}
    for group, prefix, kinds in (("emailAddresses", "email", EMAIL_TYPES), ("phoneNumbers", "phone", PHONE_TYPES)):
        values = raw.get(group) or {}
        initial |= {f"{prefix}_{kind}": (values.get(kind) or [""])[0] for kind in kinds}
    return initial


def extra_entries(raw: dict) -> list[str]:
    """Lists with more entries than Lexoffice accepts on write: saving keeps only the first."""
    found = []
    for group in ("emailAddresses", "phoneNumbers"):
        found += [f"{group}.{kind}" for kind, values in (raw.get(group) or {}).items() if len(values or []) > 1]
    for kind, values in (raw.get("addresses") or {}).items():
        if len(values or []) > 1:
            found.append(f"addresses.{kind}")
    if len((raw.get("company") or {}).get("contactPersons") or []) > 1:
        found.append("company.contactPersons")
    return found


def payload_from(cleaned: dict, raw: dict | None = None) -> dict:
    """The contact JSON after the user's edit: `raw` with the form's fields set (or removed when empty)."""
    data = copy.deepcopy(raw or {})
    for key in ("id", "organizationId", "createdDate", "updatedDate", "version", "archived"):
        data.pop(key, None)
    text = {name: (value.strip() if isinstance(value, str) else value) for name, value in cleaned.items()}
    old_roles = data.get("roles") or {}
    data["roles"] = {role: old_roles.get(role) or {} for role in ("customer", "vendor") if text.get(f"is_{role}")}
    _set_party(data, text)
    for kind in ("billing", "shipping"):
        addresses = data.setdefault("addresses", {})
        address = copy.deepcopy((addresses.get(kind) or [{}])[0])
        for part, _words in ADDRESS_PARTS:
            _put(address, part, text.get(f"{kind}_{part}"))
        _put(addresses, kind, [address] if address else None)
        _prune(data, "addresses")
    for group, prefix, kinds in (("emailAddresses", "email", EMAIL_TYPES), ("phoneNumbers", "phone", PHONE_TYPES)):
        values = data.setdefault(group, {})
        for kind in kinds:
            _put(values, kind, [text[f"{prefix}_{kind}"]] if text.get(f"{prefix}_{kind}") else None)
        _prune(data, group)
    xrechnung = data.setdefault("xRechnung", {})
    _put(xrechnung, "buyerReference", text.get("buyer_reference"))
    _put(xrechnung, "vendorNumberAtCustomer", text.get("vendor_number_at_customer"))
    _prune(data, "xRechnung")
    _put(data, "note", text.get("note"))
    return data


def _set_party(data: dict, text: dict) -> None:
    """Company when a company name is given, a person when a name is; both or neither is left to validation."""
    has_company = bool(text.get("company_name"))
    has_person = bool(text.get("first_name") or text.get("last_name") or text.get("salutation"))
    if has_company:
        company = data.setdefault("company", {})
        _put(company, "name", text.get("company_name"))
        _put(company, "taxNumber", text.get("tax_number"))
        _put(company, "vatRegistrationId", text.get("vat_id"))
        _put(company, "allowTaxFreeInvoices", text.get("allow_tax_free"))
        contact_person = copy.deepcopy((company.get("contactPersons") or [{}])[0])
        for part in PERSON_PARTS:
            _put(contact_person, part, text.get(f"cp_{part}"))
        named = any(contact_person.get(part) for part in PERSON_PARTS)
        _put(contact_person, "primary", text.get("cp_primary") if named else None)
        _put(company, "contactPersons", [contact_person] if named else None)
    else:
        data.pop("company", None)
    if has_person:
        person = data.setdefault("person", {})
        _put(person, "salutation", text.get("salutation"))
        _put(person, "firstName", text.get("first_name"))
        _put(person, "lastName", text.get("last_name"))
    else:
        data.pop("person", None)


def _put(target: dict, key: str, value: object) -> None:
    """Set a value; an empty one removes the key, and `False` is only written where the key existed,
    so an untouched field stays byte-for-byte what Lexoffice sent."""
    if value is False and key in target:
        target[key] = False
    elif value in (None, "", [], {}, False):
        target.pop(key, None)
    else:
        target[key] = value


def _prune(data: dict, key: str) -> None:
    if not data.get(key):
        data.pop(key, None)
