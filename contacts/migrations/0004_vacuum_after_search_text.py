"""Adding search_text rewrote the contacts table, which empties PostgreSQL's visibility map: until the
next vacuum every index-only scan of contact_conn_name_search would still read the table. Vacuum it now
(outside a transaction, hence a migration of its own)."""

from django.db import migrations


def vacuum(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) contacts_contact")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('contacts', '0003_search_text'),
    ]

    operations = [
        migrations.RunPython(vacuum, migrations.RunPython.noop),
    ]
