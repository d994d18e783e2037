"""Recurring templates (§13), read-only: a paged list of reduced entries sorted by date fields, and the
full template by id. Seeded per organization; the web app (mutations) may change them."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta

from sandbox.clock import fmt
from sandbox.errors import regular
from sandbox.paging import page_of, sort_of
from sandbox.sales import compute_totals, contact_name
from sandbox.store import Organization

SORTABLE = {
    "createdDate": None,
    "updatedDate": None,
    "lastExecutionDate": "recurringTemplateSettings",
    "nextExecutionDate": "recurringTemplateSettings",
}
INTERVALS = ("WEEKLY", "BIWEEKLY", "MONTHLY", "QUARTERLY", "BIANNUALLY", "ANNUALLY")


def search(org: Organization, args: dict, path: str) -> dict:
    prop, direction = sort_of(args, path, sortable=SORTABLE, default=("updatedDate", "DESC"))
    holder = SORTABLE[prop]

    def key(template: dict) -> tuple:
        value = (template.get(holder) or {}).get(prop) if holder else template.get(prop)
        return (value is not None, value or "", template["id"])

    ordered = sorted(org.recurring_templates.values(), key=key, reverse=direction == "DESC")
    envelope = page_of(ordered, args, path=path, default_sort=[{"property": prop, "direction": direction}])
    envelope["content"] = [reduced(t) for t in envelope["content"]]
    return envelope


def reduced(template: dict) -> dict:
    """What the list shows of a template: address only id and name, totals, terms and full settings."""
    address = template.get("address") or {}
    return {
        "id": template["id"],
        "organizationId": template["organizationId"],
        "createdDate": template["createdDate"],
        "updatedDate": template["updatedDate"],
        "version": template["version"],
        "title": template.get("title"),
        "address": {"contactId": address.get("contactId"), "name": address.get("name")},
        "totalPrice": template.get("totalPrice"),
        "paymentConditions": template.get("paymentConditions"),
        "recurringTemplateSettings": template["recurringTemplateSettings"],
    }


def get(org: Organization, template_id: str, path: str) -> dict:
    template = org.recurring_templates.get(template_id)
    if template is None:
        raise regular(404, path, "Resource not found")
    return template


def seed(org: Organization, rng: random.Random, next_id, customers: list[str], count: int) -> None:
    for index in range(count if customers else 0):
        template = _template(org, rng, next_id, org.contacts[rng.choice(customers)], index)
        org.recurring_templates[template["id"]] = template


def new_template(org: Organization, fields: dict) -> dict:
    """A template made in the web app (mutations): the first customer, or a one-line default."""
    customer = next((c for c in org.contacts.values() if "customer" in (c.get("roles") or {})), None)
    template = _template(
        org,
        random.Random(len(org.recurring_templates)),
        lambda: str(uuid.uuid4()),
        customer or {"id": None, "company": {"name": "Laufkundschaft"}},
        0,
    )
    template.update(fields)
    return template


def _template(org: Organization, rng: random.Random, next_id, contact: dict, index: int) -> dict:
    created = datetime(2024, 1, 8, 9, 0, tzinfo=UTC) + timedelta(days=rng.randrange(600))
    start = created.date() + timedelta(days=rng.randrange(30))
    status = rng.choice(["ACTIVE", "ACTIVE", "ACTIVE", "PAUSED", "ENDED"])
    interval = rng.choice(INTERVALS)
    last = None if rng.random() < 0.2 else start + timedelta(days=30 * rng.randrange(1, 12))
    settings = {
        "id": next_id(),
        "startDate": None if status == "PAUSED" else start.isoformat(),
        "endDate": (last or start).isoformat() if status == "ENDED" else None,
        "finalize": rng.random() < 0.5,
        "shippingType": "service",
        "retroactiveInvoice": False,
        "executionInterval": interval,
        "lastExecutionDate": last.isoformat() if last else None,
        "nextExecutionDate": None
        if status != "ACTIVE"
        else (max(last or start, date(2026, 1, 1)) + timedelta(days=30)).isoformat(),
        "lastExecutionFailed": False,
        "lastExecutionErrorMessage": None,
        "executionStatus": status,
    }
    template = {
        "id": next_id(),
        "organizationId": org.id,
        "createdDate": fmt(created),
        "updatedDate": fmt(created + timedelta(days=rng.randrange(60))),
        "version": 1 + rng.randrange(3),
        "language": "de",
        "archived": False,
        "title": "Rechnung",
        "address": {"contactId": contact["id"], "name": contact_name(contact), "countryCode": "DE"},
        "lineItems": [
            {
                "type": "custom",
                "name": rng.choice(["Wartungsvertrag", "Hosting", "Miete", "Lizenz"]),
                "quantity": 1,
                "unitName": "Monat",
                "unitPrice": {"currency": "EUR", "netAmount": round(rng.uniform(20, 900), 2), "taxRatePercentage": 19},
                "discountPercentage": 0,
            }
        ],
        "totalPrice": {"currency": "EUR"},
        "taxConditions": {"taxType": "net"},
        "paymentConditions": {
            "paymentTermLabel": "Zahlbar innerhalb von 14 Tagen ohne Abzug",
            "paymentTermLabelTemplate": "Zahlbar innerhalb von {paymentRange} Tagen ohne Abzug",
            "paymentTermDuration": 14,
        },
        "introduction": f"Abrechnung {index + 1} gemäß Vertrag",
        "remark": "Vielen Dank!",
        "recurringTemplateSettings": settings,
    }
    compute_totals(template)
    return template
