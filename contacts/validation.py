"""Lexoffice's contact rules (§8.3), checked locally so most errors show before a request."""

import re

from web.countries import is_valid_country

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_TYPES = ("business", "office", "private", "other")
PHONE_TYPES = ("business", "office", "mobile", "private", "fax", "other")
READ_ONLY = ("id", "organizationId", "createdDate", "updatedDate")


def validate_contact(data: dict) -> dict[str, list[str]]:
    """Field path -> messages; empty when the contact may be written."""
    errors: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    roles = data.get("roles") or {}
    if not isinstance(roles, dict) or not ({"customer", "vendor"} & set(roles)):
        add("roles", "Choose at least one role: customer or vendor.")
    company, person = data.get("company"), data.get("person")
    if company and person:
        add("company", "A contact is either a company or a person, not both.")
    elif not company and not person:
        add("company", "Enter a company or a person.")
    if company:
        _validate_company(company, add)
    if person:
        _validate_name(person, "person", add)
    _validate_addresses(data.get("addresses") or {}, add)
    _validate_lists(data.get("emailAddresses") or {}, "emailAddresses", EMAIL_TYPES, add, email=True)
    _validate_lists(data.get("phoneNumbers") or {}, "phoneNumbers", PHONE_TYPES, add)
    xrechnung = data.get("xRechnung") or {}
    if xrechnung.get("buyerReference") and not xrechnung.get("vendorNumberAtCustomer"):
        add("xRechnung.vendorNumberAtCustomer", "Required when a buyer reference (Leitweg-ID) is set.")
    if len(data.get("note") or "") > 1000:
        add("note", "At most 1000 characters.")
    return errors


def _validate_company(company: dict, add) -> None:
    if not (company.get("name") or "").strip():
        add("company.name", "Enter the company name.")
    persons = company.get("contactPersons") or []
    if len(persons) > 1:
        add("company.contactPersons", "Lexoffice accepts one contact person per write.")
    for index, contact_person in enumerate(persons):
        _validate_name(contact_person, f"company.contactPersons[{index}]", add)
        email = contact_person.get("emailAddress")
        if email and not EMAIL.match(email):
            add(f"company.contactPersons[{index}].emailAddress", "Enter a valid email address.")


def _validate_name(holder: dict, prefix: str, add) -> None:
    if not (holder.get("lastName") or "").strip():
        add(f"{prefix}.lastName", "Enter the last name.")
    if len(holder.get("salutation") or "") > 25:
        add(f"{prefix}.salutation", "At most 25 characters.")


def _validate_addresses(addresses: dict, add) -> None:
    for kind in ("billing", "shipping"):
        entries = addresses.get(kind) or []
        if len(entries) > 1:
            add(f"addresses.{kind}", f"Lexoffice accepts one {kind} address per write.")
        for index, address in enumerate(entries):
            if not is_valid_country(address.get("countryCode")):
                add(f"addresses.{kind}[{index}].countryCode", "Enter a valid country code (e.g. DE).")


def _validate_lists(groups: dict, prefix: str, kinds: tuple[str, ...], add, *, email: bool = False) -> None:
    for kind, values in groups.items():
        if kind not in kinds:
            add(f"{prefix}.{kind}", f"Unknown type {kind!r}.")
            continue
        if len(values or []) > 1:
            add(f"{prefix}.{kind}", "Lexoffice accepts one entry per type on write.")
        for value in values or []:
            if email and not EMAIL.match(value or ""):
                add(f"{prefix}.{kind}", "Enter a valid email address.")


def writable(data: dict) -> dict:
    """The record without read-only fields, ready for POST/PUT."""
    return {key: value for key, value in data.items() if key not in READ_ONLY}


def flatten(data: object, prefix: str = "") -> dict[str, object]:
    """Leaf paths of nested dicts (lists are compared whole), for detecting which fields changed."""
    if isinstance(data, dict) and data:
        leaves: dict[str, object] = {}
        for key, value in data.items():
            leaves.update(flatten(value, f"{prefix}.{key}" if prefix else key))
        return leaves
    return {prefix: data}
