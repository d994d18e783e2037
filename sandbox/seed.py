"""Deterministic seed data: same seed, same organization. German-style names, real files."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta

from sandbox import documents, recurring
from sandbox.clock import day_text, fmt
from sandbox.sales import compute_totals
from sandbox.seed_words import CITIES, COMPANY_KINDS, COMPANY_WORDS, FIRST, LAST, LEGAL, STREETS
from sandbox.store import Organization

INCOME = [
    "8f8664a8-fd86-11e1-a21f-0800200c9a66",
    "8f8664a0-fd86-11e1-a21f-0800200c9a66",
    "8f8664a1-fd86-11e1-a21f-0800200c9a66",
]
OUTGO = [
    "16d04a28-9d3d-4a83-a0f4-5ef6b1b3c2a1",
    "8f8664a5-fd86-11e1-a21f-0800200c9a66",
    "2e7f3c9a-5b1d-4e3a-9c7e-3f1a2b4c5d6e",
]
VOUCHER_TYPES = ["purchaseinvoice", "salesinvoice", "purchasecreditnote", "salescreditnote"]
VOUCHER_STATUSES = ["open", "open", "paid", "paid", "paidoff", "voided", "transferred", "sepadebit", "unchecked"]
START = date(2022, 1, 3)
SPAN_DAYS = 4 * 365


def seed_organization(
    org: Organization,
    *,
    seed: int,
    contacts: int,
    vouchers: int,
    invoices: int,
    articles: int | None = None,
    recurring_templates: int | None = None,
) -> None:
    """Articles default to invoices // 2 and recurring templates to invoices // 4; they draw from their
    own random stream, so adding them left every other seeded record as it was."""
    rng = random.Random(seed)
    ids = _ids(rng)
    contact_ids = [_contact(org, rng, ids, index) for index in range(contacts)]
    for index in range(vouchers):
        _voucher(org, rng, ids, contact_ids, index)
    kinds = [
        ("invoice", invoices),
        ("creditnote", invoices // 5),
        ("quotation", invoices // 5),
        ("orderconfirmation", invoices // 10),
        ("deliverynote", invoices // 10),
        ("downpaymentinvoice", invoices // 10),
        ("dunning", invoices // 10),
    ]
    customers = [cid for cid in contact_ids if "customer" in org.contacts[cid]["roles"]]
    for kind, count in kinds:
        for index in range(count):
            _sales_document(org, rng, ids, customers, kind, index)
    extra = random.Random(seed * 7919 + 17)
    extra_ids = _ids(extra)
    for index in range(invoices // 2 if articles is None else articles):
        _article(org, extra, extra_ids, index)
    recurring.seed(
        org, extra, extra_ids, customers, invoices // 4 if recurring_templates is None else recurring_templates
    )


def _ids(rng: random.Random):
    def next_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    return next_id


def _moment(rng: random.Random) -> tuple[date, datetime]:
    day = START + timedelta(days=rng.randrange(SPAN_DAYS))
    moment = datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC) + timedelta(minutes=rng.randrange(600))
    return day, moment


def _contact(org: Organization, rng: random.Random, next_id, index: int) -> str:
    zip_code, city = rng.choice(CITIES)
    roles: dict = {}
    kind = rng.random()
    if kind < 0.6 or index == 0:
        roles["customer"] = {"number": org.next_customer_number()}
    if kind >= 0.45:
        roles["vendor"] = {"number": org.next_vendor_number()}
    contact: dict = {"id": next_id(), "organizationId": org.id, "version": 1 + rng.randrange(4), "roles": roles}
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if rng.random() < 0.75:
        name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)} {rng.choice(LEGAL)}"
        if index:
            name = f"{name} {index}" if rng.random() < 0.3 else name
        slug = name.split()[0].lower().replace("ü", "ue").replace("ö", "oe").replace("ä", "ae")
        contact["company"] = {
            "name": name,
            "vatRegistrationId": f"DE{rng.randrange(10**8, 10**9)}",
            "allowTaxFreeInvoices": False,
            "contactPersons": [
                {
                    "salutation": rng.choice(["Herr", "Frau"]),
                    "firstName": first,
                    "lastName": last,
                    "primary": True,
                    "emailAddress": f"{first.lower()}@{slug}{index}.example",
                    "phoneNumber": f"0{rng.randrange(30, 999)} {rng.randrange(10**5, 10**7)}",
                }
            ],
        }
        contact["emailAddresses"] = {"business": [f"info@{slug}{index}.example"]}
    else:
        contact["person"] = {"salutation": rng.choice(["Herr", "Frau", ""]), "firstName": first, "lastName": last}
        contact["emailAddresses"] = {"private": [f"{first.lower()}.{index}@mail.example"]}
    contact["addresses"] = {
        "billing": [
            {
                "street": f"{rng.choice(STREETS)} {rng.randrange(1, 120)}",
                "zip": zip_code,
                "city": city,
                "countryCode": "DE",
            }
        ]
    }
    contact["phoneNumbers"] = {"business": [f"0{rng.randrange(30, 999)} {rng.randrange(10**5, 10**7)}"]}
    if rng.random() < 0.3:
        contact["note"] = rng.choice(["Zahlt pünktlich", "Rahmenvertrag 2024", "Ansprechpartner wechselt"])
    contact["archived"] = index % 10 == 9
    org.contacts[contact["id"]] = contact
    return contact["id"]


def _voucher(org: Organization, rng: random.Random, next_id, contact_ids: list[str], index: int) -> None:
    kind = VOUCHER_TYPES[index % len(VOUCHER_TYPES)]
    status = rng.choice(VOUCHER_STATUSES)
    day, created = _moment(rng)
    rate = rng.choice([19, 19, 7, 0])
    gross = round(rng.uniform(5, 2500), 2)
    tax = round(gross * rate / (100 + rate), 2)
    category = rng.choice(INCOME if kind.startswith("sales") else OUTGO)
    voucher = {
        "id": next_id(),
        "organizationId": org.id,
        "type": kind,
        "voucherStatus": status,
        "voucherNumber": f"{'RE' if kind.startswith('sales') else 'ER'}-{day.year}-{index:05d}",
        "voucherDate": day_text(day),
        "dueDate": day_text(day + timedelta(days=14)),
        "totalGrossAmount": gross,
        "totalTaxAmount": tax,
        "taxType": "gross",
        "voucherItems": [{"amount": gross, "taxAmount": tax, "taxRatePercent": rate, "categoryId": category}],
        "files": [],
        "createdDate": fmt(created),
        "updatedDate": fmt(created + timedelta(hours=rng.randrange(48))),
        "version": 1 + rng.randrange(3),
        "archived": index % 15 == 14,
    }
    if contact_ids and rng.random() < 0.7:
        voucher["contactId"] = rng.choice(contact_ids)
        voucher["useCollectiveContact"] = False
    else:
        voucher["useCollectiveContact"] = True
    if kind.startswith("sales"):
        voucher["shippingDate"] = day_text(day)
    if status == "unchecked":
        voucher.pop("dueDate")
    if rng.random() < 0.35:
        content = (
            documents.png(4, 4, index)
            if rng.random() < 0.4
            else documents.pdf([f"Beleg {voucher['voucherNumber']}", f"Betrag {gross:.2f} EUR"])
        )
        content_type = documents.sniff(content) or "application/pdf"
        extension = "png" if content_type == "image/png" else "pdf"
        stored = org.add_file(
            content, content_type, f"{voucher['voucherNumber']}.{extension}", voucher["id"], file_id=next_id()
        )
        voucher["files"] = [stored.id]
    org.vouchers[voucher["id"]] = voucher


def _sales_document(
    org: Organization, rng: random.Random, next_id, customers: list[str], kind: str, index: int
) -> None:
    day, created = _moment(rng)
    statuses = {
        "invoice": ["draft", "open", "open", "paid", "voided"],
        "creditnote": ["draft", "open", "paidoff"],
        "quotation": ["draft", "open", "accepted", "rejected"],
        "orderconfirmation": ["draft", "open"],
        "deliverynote": ["draft", "open"],
        "downpaymentinvoice": ["open", "paid"],
        "dunning": ["draft"],
    }
    status = rng.choice(statuses[kind])
    items = []
    for _ in range(1 + rng.randrange(3)):
        items.append(
            {
                "type": "custom",
                "name": rng.choice(["Beratung", "Montage", "Material", "Wartung", "Lizenz"]),
                "quantity": rng.choice([1, 2, 2.5, 5, 10]),
                "unitName": rng.choice(["Stunde", "Stück", "Pauschal"]),
                "unitPrice": {
                    "currency": "EUR",
                    "netAmount": round(rng.uniform(10, 400), 2),
                    "taxRatePercentage": rng.choice([19, 7]),
                },
                "discountPercentage": 0,
            }
        )
    contact_id = rng.choice(customers) if customers and rng.random() < 0.8 else None
    document = {
        "id": next_id(),
        "organizationId": org.id,
        "_kind": kind,
        "voucherStatus": status,
        "voucherDate": fmt(created),
        "createdDate": fmt(created),
        "updatedDate": fmt(created + timedelta(hours=rng.randrange(72))),
        "version": 1 + rng.randrange(3),
        "language": "de",
        "archived": index % 20 == 19,
        "address": {"contactId": contact_id, "name": f"Kunde {index}", "countryCode": "DE"}
        if contact_id
        else {
            "name": f"Einmalkunde {index}",
            "street": "Lindenstr. 9",
            "zip": "50667",
            "city": "Köln",
            "countryCode": "DE",
        },
        "lineItems": items,
        "totalPrice": {"currency": "EUR"},
        "taxConditions": {"taxType": "net"},
        "relatedVouchers": [],
        "title": kind.capitalize(),
    }
    if kind != "dunning":
        prefix = {
            "invoice": "RE",
            "creditnote": "GS",
            "quotation": "AG",
            "orderconfirmation": "AB",
            "deliverynote": "LS",
            "downpaymentinvoice": "AR",
        }[kind]
        document["voucherNumber"] = org.next_voucher_number(prefix)
    if kind in ("invoice", "orderconfirmation", "deliverynote", "dunning"):
        document["shippingConditions"] = {"shippingType": "delivery", "shippingDate": fmt(created)}
    if kind in ("invoice", "downpaymentinvoice"):
        document["dueDate"] = day_text(day + timedelta(days=14))
        document["electronicDocumentProfile"] = "XRechnung" if index % 7 == 3 else "NONE"
    if kind == "invoice":  # every 13th is a closing invoice (read-only, never pursued)
        document.update(
            closingInvoice=index % 13 == 12 and status != "draft", downPaymentDeductions=[], recurringTemplateId=None
        )
    if kind == "downpaymentinvoice":
        document["closingInvoiceId"] = None
    if kind == "quotation":
        document["expirationDate"] = day_text(day + timedelta(days=30))
    compute_totals(document)
    if kind == "invoice":
        document["claimedGrossAmount"] = document["totalPrice"]["totalGrossAmount"]
    org.sales[document["id"]] = document


ARTICLES = [
    ("Beratungsstunde", "SERVICE", "Stunde", 95.0),
    ("Montagepauschale", "SERVICE", "Pauschal", 149.0),
    ("Schraubensatz", "PRODUCT", "Stück", 4.9),
    ("Kabel 5 m", "PRODUCT", "Stück", 12.5),
    ("Wartung", "SERVICE", "Stunde", 78.0),
    ("Fachbuch", "PRODUCT", "Stück", 39.9),
]


def _article(org: Organization, rng: random.Random, next_id, index: int) -> None:
    title, kind, unit, base = ARTICLES[index % len(ARTICLES)]
    rate = 7 if title == "Fachbuch" else 19
    net = round(base * (1 + rng.randrange(0, 30) / 100), 2)
    created = datetime(2023, 6, 1, 9, 0, tzinfo=UTC) + timedelta(days=rng.randrange(700))
    article = {
        "id": next_id(),
        "organizationId": org.id,
        "archived": index % 9 == 8,
        "title": title if index < len(ARTICLES) else f"{title} {index}",
        "type": kind,
        "articleNumber": f"ART-{index + 1:04d}",
        "unitName": unit,
        "price": {
            "netPrice": net,
            "grossPrice": round(net * (1 + rate / 100), 2),
            "leadingPrice": "NET",
            "taxRate": rate,
        },
        "createdDate": fmt(created),
        "updatedDate": fmt(created + timedelta(days=rng.randrange(30))),
        "version": rng.randrange(3),
    }
    if kind == "PRODUCT":
        article["gtin"] = _gtin(4000000000000 + rng.randrange(10**9) * 10)
    org.articles[article["id"]] = article


def _gtin(number: int) -> str:
    """A 13-digit GTIN whose last digit is the check digit."""
    body = str(number)[:12]
    weighted = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - weighted % 10) % 10)
