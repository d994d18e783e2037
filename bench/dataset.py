"""A large mirror for the list benchmarks, built with PostgreSQL COPY in one transaction.

Deterministic: the same seed and sizes give the same rows (names, numbers, dates, amounts, ids), so
a built data set is found again by its connection's name and reused; an interrupted build rolls back.
"""

import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection as db
from django.db import transaction

from vouchers.models import BOOKKEEPING_TYPES

SEED = 7
TRADES = (
    "Bäckerei",
    "Metallbau",
    "Autohaus",
    "Gärtnerei",
    "Druckerei",
    "Elektro",
    "Sanitär",
    "Tischlerei",
    "Malerbetrieb",
    "Steuerbüro",
    "Zahnarztpraxis",
    "Hotel",
    "Spedition",
    "Kanzlei",
    "Apotheke",
    "Weinhandel",
    "Fahrradladen",
    "Buchhandlung",
    "Architekten",
    "Reisebüro",
    "Schreinerei",
    "Dachdecker",
    "Optik",
    "Friseursalon",
    "Softwarehaus",
    "Brauerei",
    "Fliesenleger",
    "Gerüstbau",
    "Landhandel",
    "Kaffeerösterei",
)
SURNAMES = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Schmitz",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Schubert",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
    "Frank",
    "Berger",
    "Winkler",
    "Roth",
    "Beck",
    "Lorenz",
    "Baumann",
    "Franke",
    "Albrecht",
    "Schuster",
    "Simon",
    "Ludwig",
    "Böhm",
    "Winter",
    "Kraus",
    "Martin",
    "Schumacher",
    "Krämer",
    "Vogt",
    "Stein",
    "Jäger",
    "Otto",
    "Sommer",
    "Groß",
    "Seidel",
    "Heinrich",
)
FIRST_NAMES = (
    "Anna",
    "Lukas",
    "Mia",
    "Leon",
    "Emma",
    "Finn",
    "Lea",
    "Paul",
    "Hannah",
    "Jonas",
    "Sophie",
    "Elias",
    "Marie",
    "Noah",
    "Lena",
    "Felix",
    "Laura",
    "Ben",
    "Julia",
    "Max",
    "Clara",
    "Tim",
    "Sarah",
    "Jan",
)
FORMS = ("GmbH", "GmbH & Co. KG", "KG", "OHG", "e.K.", "UG (haftungsbeschränkt)", "AG", "GbR")
CITIES = ("Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Stuttgart", "Leipzig", "Dresden", "Hannover", "Bremen")
SALES = (
    "invoice",
    "invoice",
    "invoice",
    "creditnote",
    "quotation",
    "orderconfirmation",
    "deliverynote",
    "downpaymentinvoice",
)
PREFIX = {
    "invoice": "RE",
    "creditnote": "GS",
    "quotation": "AG",
    "orderconfirmation": "AB",
    "deliverynote": "LS",
    "downpaymentinvoice": "AR",
    "salesinvoice": "SR",
    "salescreditnote": "SG",
    "purchaseinvoice": "ER",
    "purchasecreditnote": "EG",
}
STATUSES = {
    "invoice": ("open", "paid", "paid", "overdue", "draft", "voided"),
    "salesinvoice": ("open", "paid", "paid", "overdue"),
    "purchaseinvoice": ("open", "paid", "paid", "unchecked"),
    "creditnote": ("open", "paidoff", "draft"),
    "salescreditnote": ("open", "paidoff"),
    "purchasecreditnote": ("open", "paidoff"),
    "quotation": ("open", "accepted", "rejected", "draft"),
    "orderconfirmation": ("draft", "open"),
    "deliverynote": ("draft", "open"),
    "downpaymentinvoice": ("open", "paid", "draft"),
}
EPOCH = datetime(2016, 1, 1, tzinfo=UTC)
SPAN_DAYS = 10 * 365


@dataclass
class Dataset:
    connection_id: int
    owner_id: int
    contacts: int
    vouchers: int
    seconds_to_build: float  # 0 when an earlier build was reused


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _contact_rows(connection_id: int, count: int, rng: random.Random):
    now = datetime.now(UTC)
    for index in range(count):
        lexoffice_id = _uuid(rng)
        is_company = rng.random() < 0.7
        if is_company:
            name = f"{rng.choice(TRADES)} {rng.choice(SURNAMES)} {rng.choice(FORMS)}"
            data = {"company": {"name": name}}
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            name = f"{first} {last}"
            data = {"person": {"firstName": first, "lastName": last}}
        customer = rng.random() < 0.8
        vendor = not customer or rng.random() < 0.1
        roles = {
            **({"customer": {"number": 10000 + index}} if customer else {}),
            **({"vendor": {"number": 70000 + index}} if vendor else {}),
        }
        email = f"info{index}@example-{index % 9973}.de"
        city = rng.choice(CITIES)
        created = EPOCH + timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
        raw = {
            "id": str(lexoffice_id),
            "version": 1,
            "roles": roles,
            **data,
            "addresses": {"billing": [{"city": city, "countryCode": "DE"}]},
            "emailAddresses": {"business": [email]},
            "archived": False,
        }
        yield (
            connection_id,
            lexoffice_id,
            1,
            created,
            created,
            rng.random() < 0.03,
            json.dumps(raw),
            now,
            None,
            is_company,
            name,
            10000 + index if customer else None,
            70000 + index if vendor else None,
            customer,
            vendor,
            email,
            email,
            "",
            city,
            "DE",
        )


def _voucher_rows(connection_id: int, count: int, contacts: list[tuple[int, uuid.UUID, str]], rng: random.Random):
    now = datetime.now(UTC)
    for index in range(count):
        lexoffice_id = _uuid(rng)
        kind = rng.choice(BOOKKEEPING_TYPES) if rng.random() < 0.6 else rng.choice(SALES)
        status = rng.choice(STATUSES[kind])
        number = f"{PREFIX[kind]}-{index:07d}"
        date = EPOCH + timedelta(days=rng.randrange(SPAN_DAYS), hours=rng.randrange(24))
        contact_id, contact_lexoffice_id, contact_name = (
            contacts[rng.randrange(len(contacts))] if rng.random() < 0.9 else (None, None, "Sammelkunde")
        )
        total = rng.randrange(100, 2_000_000) / 100
        open_amount = total if status in ("open", "overdue") else 0
        archived = rng.random() < 0.03
        raw = {
            "id": str(lexoffice_id),
            "voucherType": kind,
            "voucherStatus": status,
            "voucherNumber": number,
            "voucherDate": date.isoformat(timespec="milliseconds"),
            "contactName": contact_name,
            "totalAmount": total,
            "openAmount": open_amount,
            "currency": "EUR",
            "archived": archived,
        }
        yield (
            connection_id,
            lexoffice_id,
            1,
            date,
            date,
            archived,
            json.dumps(raw),
            now,
            None,
            kind,
            status,
            number,
            date,
            date + timedelta(days=14),
            contact_id,
            contact_lexoffice_id,
            contact_name,
            total,
            open_amount,
            "EUR",
            None,
            None,
        )


MIRROR = (
    "connection_id, lexoffice_id, version, remote_updated_at, remote_created_at, archived, raw, synced_at, "
    "deleted_upstream_at"
)
CONTACT_COLUMNS = (
    f"{MIRROR}, is_company, name, customer_number, vendor_number, is_customer, is_vendor, email, "
    "emails, phone, city, country_code"
)
VOUCHER_COLUMNS = (
    f"{MIRROR}, voucher_type, voucher_status, voucher_number, voucher_date, due_date, contact_id, "
    "contact_lexoffice_id, contact_name, total_amount, open_amount, currency, details, details_version"
)


def ensure(*, contacts: int, vouchers: int) -> Dataset:
    """The data set of this size (seed SEED), built now unless an earlier run left it complete."""
    from connections.models import Connection

    # An owner per data set, so its pages show this data set alone.
    owner, _ = get_user_model().objects.get_or_create(username=f"bench-lists-{contacts}-{vouchers}")
    name = f"bench lists {contacts}c {vouchers}v seed {SEED}"
    existing = Connection.objects.filter(name=name).first()
    if existing is not None:  # built in one transaction, so present means complete
        Connection.objects.filter(pk=existing.pk).update(owner=owner)
        return Dataset(existing.pk, owner.pk, contacts, vouchers, 0.0)
    started = time.monotonic()
    rng = random.Random(SEED)
    with transaction.atomic():
        connection = Connection(name=name, owner=owner, organization_id=_uuid(rng))
        connection.set_api_key("bench-not-used")
        connection.save()
        with db.cursor() as cursor:
            with cursor.cursor.copy(f"COPY contacts_contact ({CONTACT_COLUMNS}) FROM STDIN") as copy:
                for row in _contact_rows(connection.pk, contacts, rng):
                    copy.write_row(row)
            cursor.execute(
                "SELECT id, lexoffice_id, name FROM contacts_contact WHERE connection_id = %s ORDER BY id",
                [connection.pk],
            )
            contact_keys = cursor.fetchall()
            print(f"   {contacts} contacts copied in {time.monotonic() - started:.1f}s", flush=True)
            with cursor.cursor.copy(f"COPY vouchers_voucher ({VOUCHER_COLUMNS}) FROM STDIN") as copy:
                for row in _voucher_rows(connection.pk, vouchers, contact_keys, rng):
                    copy.write_row(row)
            print(f"   {vouchers} vouchers copied in {time.monotonic() - started:.1f}s", flush=True)
    with db.cursor() as cursor:  # fresh statistics (and visibility map) before anything is measured
        cursor.execute("VACUUM ANALYZE contacts_contact")
        cursor.execute("VACUUM ANALYZE vouchers_voucher")
    seconds = time.monotonic() - started
    print(f"   data set built and analysed in {seconds:.1f}s", flush=True)
    return Dataset(connection.pk, owner.pk, contacts, vouchers, seconds)
