from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Upper

from connections.mirror import MirroredModel


class Contact(MirroredModel):
    """A Lexoffice contact. Searchable fields are columns; nested data lives in `raw`."""

    is_company = models.BooleanField(default=True)
    name = models.CharField(max_length=255, db_index=True)
    customer_number = models.IntegerField(null=True, blank=True, db_index=True)
    vendor_number = models.IntegerField(null=True, blank=True, db_index=True)
    is_customer = models.BooleanField(default=False)
    is_vendor = models.BooleanField(default=False)
    email = models.CharField(max_length=255, blank=True)
    emails = models.TextField(blank=True, help_text="Every address of the contact, for search.")
    phone = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country_code = models.CharField(max_length=8, blank=True)
    # Name and addresses upper-cased once, on write, by the database: a search compares this column
    # instead of calling UPPER() twice on every row it passes (see matching()).
    search_text = models.GeneratedField(
        expression=Concat(Upper("name"), Value("\n"), Upper("emails"), output_field=models.TextField()),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "lexoffice_id"], name="contact_unique_per_connection")
        ]
        indexes = [  # one per sort order the contact list offers (keyset paging by (field, id))
            models.Index(fields=["connection", "name", "id"], name="contact_conn_name"),
            models.Index(fields=["connection", "customer_number", "id"], name="contact_conn_customer_no"),
            models.Index(fields=["connection", "vendor_number", "id"], name="contact_conn_vendor_no"),
            # A search walks the name order in this index alone (PostgreSQL: INCLUDE, an index-only scan)
            # and fetches only the rows of the page; see ContactViewSet.ids_first.
            models.Index(
                fields=["connection", "name", "id"],
                include=["search_text", "customer_number", "vendor_number"],
                condition=Q(deleted_upstream_at__isnull=True),
                name="contact_conn_name_search",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def numbers(self) -> str:
        parts = []
        if self.customer_number is not None:
            parts.append(f"C {self.customer_number}")
        if self.vendor_number is not None:
            parts.append(f"V {self.vendor_number}")
        return ", ".join(parts)


def matching(term: str) -> Q:
    """Contacts whose name or an email address contains `term` (any case), or whose customer or vendor
    number it is. The term is upper-cased by the database, as search_text was."""
    term = term.strip()
    match = Q(search_text__contains=Upper(Value(term)))
    if term.isdigit() and len(term) < 10:
        match |= Q(customer_number=int(term)) | Q(vendor_number=int(term))
    return match


def contact_columns(data: dict) -> dict:
    """The indexed columns of a Contact, derived from Lexoffice's JSON."""
    company = data.get("company") or {}
    person = data.get("person") or {}
    roles = data.get("roles") or {}
    if company:
        name = company.get("name") or ""
    else:
        name = " ".join(part for part in (person.get("firstName"), person.get("lastName")) if part)
    emails = [address for group in (data.get("emailAddresses") or {}).values() for address in group or []]
    emails += [p.get("emailAddress") for p in company.get("contactPersons") or [] if p.get("emailAddress")]
    phones = [number for group in (data.get("phoneNumbers") or {}).values() for number in group or []]
    billing = ((data.get("addresses") or {}).get("billing") or [{}])[0]
    return {
        "is_company": bool(company),
        "name": name[:255],
        "customer_number": (roles.get("customer") or {}).get("number"),
        "vendor_number": (roles.get("vendor") or {}).get("number"),
        "is_customer": "customer" in roles,
        "is_vendor": "vendor" in roles,
        "email": (emails[0] if emails else "")[:255],
        "emails": " ".join(emails),
        "phone": (phones[0] if phones else "")[:100],
        "city": (billing.get("city") or "")[:100],
        "country_code": (billing.get("countryCode") or "")[:8],
    }
