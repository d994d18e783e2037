"""Contacts (§8): filters with Lexoffice's pattern rules, and the write validation of §8.3."""

import copy
import html
import re
import uuid

from sandbox.clock import now_text
from sandbox.errors import ApiError, invalid, legacy
from sandbox.paging import page_of
from sandbox.sales import contact_name
from sandbox.store import Organization

COUNTRIES = set(
    """AD AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ CA CD CF
CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ FM FR GA GB GD GE GH GM GN GQ GR GT GW
GY HK HN HR HT HU ID IE IL IN IQ IR IS IT JM JO JP KE KG KH KI KM KN KP KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA
MC MD ME MG MH MK ML MM MN MR MT MU MV MW MX MY MZ NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK PL PT PW PY QA RO RS
RU RW SA SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD TG TH TJ TL TM TN TO TR TT TV TW TZ UA UG US UY UZ VA
VC VE VN VU WS XK YE ZA ZM ZW ES_CN GR_69""".split()
)
READ_ONLY = ("id", "organizationId", "createdDate", "updatedDate")
VAT_DE = re.compile(r"^DE\d{9}$")


def pattern(term: str) -> re.Pattern:
    """Lexoffice's LIKE-style filter: `_` one char, `%` any, backslash escapes; case-insensitive substring."""
    out, escaped = [], False
    for char in term:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "_":
            out.append(".")
        elif char == "%":
            out.append(".*")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _emails(contact: dict) -> list[str]:
    found = [e for values in (contact.get("emailAddresses") or {}).values() for e in values or []]
    found += [
        p.get("emailAddress")
        for p in (contact.get("company") or {}).get("contactPersons") or []
        if p.get("emailAddress")
    ]
    return found


def search(org: Organization, args: dict) -> dict:
    filters = []
    for name in ("name", "email"):
        if name in args:
            term = args[name]
            if not 3 <= len(term) <= 128:
                raise legacy(400, ("size must be between 3 and 128", "bad_request_error", "bad_request_error"))
            filters.append((name, pattern(term)))
    number = args.get("number")
    if number is not None and not number.isdigit():
        raise invalid(400, "number", "invalid_value")
    roles_filter = {role: args[role].lower() == "true" for role in ("customer", "vendor") if role in args}
    matches = []
    for contact in org.contacts.values():
        # Names are matched HTML-encoded; the filter text arrives HTML-encoded too.
        if any(
            kind == "name" and not rx.search(html.escape(contact_name(contact), quote=False)) for kind, rx in filters
        ):
            continue
        if any(kind == "email" and not any(rx.search(e) for e in _emails(contact)) for kind, rx in filters):
            continue
        roles = contact.get("roles") or {}
        if number is not None and int(number) not in [(roles.get(r) or {}).get("number") for r in roles]:
            continue
        if any((role in roles) != wanted for role, wanted in roles_filter.items()):
            continue
        matches.append(contact)
    matches.sort(key=lambda c: (contact_name(c).lower(), c["id"]))
    return page_of(matches, args, default_sort=[{"property": "name", "direction": "ASC"}], legacy_errors=True)


def validate(payload: dict) -> None:
    issues: list[tuple[str, str, str]] = []

    def issue(source: str, key: str = "missing_entity") -> None:
        issues.append((source, key, "validation_failure"))

    roles = payload.get("roles")
    if not isinstance(roles, dict) or not ({"customer", "vendor"} & set(roles)):
        issue("roles.customer or roles.vendor")
    company, person = payload.get("company"), payload.get("person")
    if company and person:
        issue("company and person", "invalid_value")
    elif not company and not person:
        issue("company or person")
    if company:
        _validate_company(company, issue)
    if person:
        if not (person.get("lastName") or "").strip():
            issue("person.lastName")
        if len(person.get("salutation") or "") > 25:
            issue("person.salutation", "invalid_value")
    for kind in ("billing", "shipping"):
        addresses = (payload.get("addresses") or {}).get(kind) or []
        if len(addresses) > 1:
            issue(f"addresses.{kind}.size", "invalid_value")
        for index, address in enumerate(addresses):
            if address.get("countryCode") not in COUNTRIES:
                issue(f"addresses.{kind}[{index}].countryCode", "countrycode_is_not_valid")
    for group in ("emailAddresses", "phoneNumbers"):
        for kind, values in (payload.get(group) or {}).items():
            if len(values or []) > 1:
                issue(f"{group}.{kind}.size", "invalid_value")
    xrechnung = payload.get("xRechnung") or {}
    if xrechnung.get("buyerReference") and not xrechnung.get("vendorNumberAtCustomer"):
        issue("xRechnung.vendorNumberAtCustomer")
    if len(payload.get("note") or "") > 1000:
        issue("note", "invalid_value")
    if issues:
        raise legacy(406, *issues)


def _validate_company(company: dict, issue) -> None:
    if not (company.get("name") or "").strip():
        issue("company.name")
    vat = company.get("vatRegistrationId")
    if vat and vat.startswith("DE") and not VAT_DE.match(vat):
        issue("company.vatRegistrationId", "invalid_value")
    persons = company.get("contactPersons") or []
    if len(persons) > 1:
        issue("company.contactPersons.size", "invalid_value")
    for index, contact_person in enumerate(persons):
        if not (contact_person.get("lastName") or "").strip():
            issue(f"company.contactPersons[{index}].lastName")
        if len(contact_person.get("salutation") or "") > 25:
            issue(f"company.contactPersons[{index}].salutation", "invalid_value")


def create(org: Organization, payload: dict) -> dict:
    validate(payload)
    contact = {key: copy.deepcopy(value) for key, value in payload.items() if key not in READ_ONLY}
    contact.update(id=str(uuid.uuid4()), organizationId=org.id, version=1, archived=False)
    roles = {}
    if "customer" in payload["roles"]:
        roles["customer"] = {"number": org.next_customer_number()}
    if "vendor" in payload["roles"]:
        roles["vendor"] = {"number": org.next_vendor_number()}
    contact["roles"] = roles
    org.contacts[contact["id"]] = contact
    return contact


def update(org: Organization, contact_id: str, payload: dict) -> dict:
    current = ensure_exists(org, contact_id)
    if payload.get("version") != current["version"]:
        if org.stale_version_status == 406:
            raise invalid(406, "version", "invalid_value")
        raise legacy(409, ("version", "invalid_value", "validation_failure"))
    if _multi_entry(current):
        raise invalid(406, "contact", "contact_has_not_mappable_address")
    validate(payload)
    replaced = {
        key: copy.deepcopy(value) for key, value in payload.items() if key not in (*READ_ONLY, "archived", "version")
    }
    # Role numbers are the server's; a PUT keeps them (a new role gets a new number).
    roles = {}
    for role in ("customer", "vendor"):
        if role in (payload.get("roles") or {}):
            roles[role] = current["roles"].get(role) or {
                "number": org.next_customer_number() if role == "customer" else org.next_vendor_number()
            }
    replaced.update(
        id=contact_id,
        organizationId=org.id,
        version=current["version"] + 1,
        archived=current.get("archived", False),
        roles=roles,
    )
    org.contacts[contact_id] = replaced
    return replaced


def _multi_entry(contact: dict) -> bool:
    addresses = contact.get("addresses") or {}
    if any(len(addresses.get(kind) or []) > 1 for kind in ("billing", "shipping")):
        return True
    if len((contact.get("company") or {}).get("contactPersons") or []) > 1:
        return True
    return any(
        len(values or []) > 1
        for group in ("emailAddresses", "phoneNumbers")
        for values in (contact.get(group) or {}).values()
    )


def action_result(record: dict, base_url: str, path: str) -> dict:
    return {
        "id": record["id"],
        "resourceUri": f"{base_url}{path}/{record['id']}",
        "createdDate": record.get("createdDate") or now_text(),
        "updatedDate": record.get("updatedDate") or now_text(),
        "version": record["version"],
    }


def ensure_exists(org: Organization, contact_id: str) -> dict:
    contact = org.contacts.get(contact_id)
    if contact is None:
        raise ApiError(
            404,
            {
                "IssueList": [
                    {
                        "i18nKey": "not_found",
                        "source": "id",
                        "type": "validation_failure",
                        "additionalData": None,
                        "args": None,
                    }
                ]
            },
        )
    return contact
