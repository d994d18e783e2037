"""Trigram indexes for substring search (icontains) on PostgreSQL only.

Django turns `field__icontains=q` into `UPPER(field::text) LIKE UPPER('%q%')`; a GIN trigram index on
that same expression answers it without reading every row (1,000,000 vouchers: ~250 ms -> a few ms,
see `make bench --only lists`). SQLite has no such index; it is skipped there, and on a PostgreSQL
without the pg_trgm extension available (search still works, only slower).
"""

from django.db import migrations

INDEXES = {
    "contact_name_trgm": ("contacts_contact", "name"),
    "contact_emails_trgm": ("contacts_contact", "emails"),
    "voucher_number_trgm": ("vouchers_voucher", "voucher_number"),
    "voucher_contact_name_trgm": ("vouchers_voucher", "contact_name"),
}


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, (table, column) in INDEXES.items():
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}::text) gin_trgm_ops)"
            )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("lexhub", "0001_initial"),
        ("contacts", "0001_initial"),
        ("vouchers", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
