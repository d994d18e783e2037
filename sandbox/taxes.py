"""Rules that depend on the organization, not only on the request: tax-exempt organizations may create only
`vatfree` sales documents (§11.5), distance sales follow the profile's `distanceSalesPrinciple` (§9.4, §11.5),
and finalizing an XRechnung needs complete organization data (§12.1)."""

from typing import Protocol

from sandbox.errors import regular
from sandbox.store import Organization


class Findings(Protocol):
    def add(self, field: str, violation: str, message: str) -> None: ...

    def invalid(self, field: str, message: str = ...) -> None: ...


# VAT rates of the member states (standard and reduced) in force in 2025/2026. Lexoffice's own table is
# date-dependent and unpublished; this one is not, so a rate that changed recently is accepted only in its new form.
EU_RATES: dict[str, tuple[float, ...]] = {
    "AT": (20, 13, 10),
    "BE": (21, 12, 6),
    "BG": (20, 9),
    "CY": (19, 9, 5, 3),
    "CZ": (21, 12),
    "DK": (25,),
    "EE": (24, 13, 9),
    "ES": (21, 10, 4),
    "FI": (25.5, 14, 13.5, 10),
    "FR": (20, 10, 5.5, 2.1),
    "GR": (24, 13, 6),
    "HR": (25, 13, 5),
    "HU": (27, 18, 5),
    "IE": (23, 13.5, 9, 4.8),
    "IT": (22, 10, 5, 4),
    "LT": (21, 12, 9, 5),
    "LU": (17, 14, 8, 3),
    "LV": (21, 12, 5),
    "MT": (18, 7, 5),
    "NL": (21, 9),
    "PL": (23, 8, 5),
    "PT": (23, 13, 6),
    "RO": (21, 11),
    "SE": (25, 12, 6),
    "SI": (22, 9.5, 5),
    "SK": (23, 19, 5),
}
EU_MEMBERS = frozenset(EU_RATES) | {"DE"}
# Without a destination country (bookkeeping vouchers) any member state's rate may be the right one.
ANY_DESTINATION_RATE = frozenset(rate for rates in EU_RATES.values() for rate in rates) | {0}
# Posting categories of distance sales (§9.4) by the principle they belong to.
DISTANCE_CATEGORIES = {
    "7c112b66-0565-479c-bc18-5845e080880a": "ORIGIN",  # Fernverkauf
    "d73b880f-c24a-41ea-a862-18d90e1c3d82": "ORIGIN",  # Elektronische Dienstleistungen
    "4ebd965a-7126-416c-9d8c-a5c9366ee473": "DESTINATION",  # Fernverkauf in EU-Land steuerpflichtig
    "7ecea006-844c-4c98-a02d-aa3142640dd5": "DESTINATION",  # Elektronische Dienstleistung in EU-Land ...
}
# What an XRechnung needs from the organization (§12.1); the tax ids are one field: either suffices (EN 16931).
REQUIRED_DATA = {
    "companyName": "Firmenname",
    "street": "Straße",
    "zip": "Postleitzahl",
    "city": "Ort",
    "phone": "Telefonnummer",
    "email": "E-Mail-Adresse",
    "bankAccount": "Bankverbindung im Fußbereich",
}


def tax_exempt(org: Organization) -> bool:
    """A vat-free profile or a Kleinunternehmer (§19 UStG) charges no VAT on anything."""
    return org.tax_type == "vatfree" or org.small_business


def voucher_item_rates(org: Organization, category_id: str, default: tuple[float, ...]) -> tuple[str | None, frozenset]:
    """For one voucher item: the legacy issue key its category earns (None if fine) and the rates it allows."""
    principle = DISTANCE_CATEGORIES.get(category_id)
    if principle is None:
        return None, frozenset(default)
    issue = None if org.distance_sales_principle == principle else "invalid_value"
    return issue, ANY_DESTINATION_RATE if principle == "DESTINATION" else frozenset(default)


def sales_rates(
    org: Organization, body: dict, tax_type: str | None, default: tuple[float, ...], found: Findings
) -> tuple[float, ...]:
    """Check the organization's tax rules for a sales document; returns the tax rates its items may use."""
    if tax_exempt(org) and tax_type not in (None, "vatfree"):
        found.invalid(
            "taxConditions.taxType", "steuerbefreite Organisationen können nur steuerfreie (vatfree) Belege erstellen"
        )
    sub_type = (body.get("taxConditions") or {}).get("taxSubType")
    if sub_type is None or tax_type not in ("net", "gross"):
        return default
    if org.distance_sales_principle not in ("ORIGIN", "DESTINATION"):
        found.invalid("taxConditions.taxSubType", "kein Fernverkaufsprinzip (distanceSalesPrinciple) festgelegt")
        return default
    address = body.get("address") if isinstance(body.get("address"), dict) else {}
    contact = org.contacts.get(address.get("contactId") or "") or {}
    billing = ((contact.get("addresses") or {}).get("billing") or [{}])[0]
    country = address.get("countryCode") or billing.get("countryCode")
    if country not in EU_RATES:  # another member state than Germany
        found.invalid("address.countryCode", "Fernverkauf nur in andere EU-Mitgliedstaaten")
        return default
    if (contact.get("company") or {}).get("vatRegistrationId"):
        found.invalid("taxConditions.taxSubType", "Fernverkauf nur an Privatkunden (B2C)")
    if org.distance_sales_principle == "DESTINATION":
        return (0, *EU_RATES[country])
    return default


def check_xrechnung_finalization(org: Organization, path: str) -> None:
    """Lexoffice checks the organization's own data only when an XRechnung is finalized (§12.1)."""
    data = {**org.details, "companyName": org.company_name}
    details = [
        {"violation": "NOTNULL", "field": f"organization.{name}", "message": f"{label} fehlt"}
        for name, label in REQUIRED_DATA.items()
        if not data.get(name)
    ]
    if not (data.get("taxNumber") or data.get("vatRegistrationId")):
        details.append(
            {"violation": "NOTNULL", "field": "organization.taxNumber", "message": "Steuernummer oder USt-IdNr. fehlt"}
        )
    if details:
        raise regular(
            406,
            path,
            "The organization data is incomplete for an XRechnung. Please complete it in the settings.",
            details,
        )
