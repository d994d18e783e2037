"""Contact search compares one stored, upper-cased column (name + email addresses) instead of calling
UPPER() on two columns of every row it passes, through a covering index in name order and, on
PostgreSQL with pg_trgm, a trigram index on that column (which replaces the two on name and emails).
At 100,000 contacts a search for "Koch" went from 7.4 ms in PostgreSQL to under 1 ms plus the page's
rows; `make bench --only lists` measures it."""

import django.db.models.functions.text
from django.db import migrations, models


def trigram_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:  # lexhub 0002 found no pg_trgm: search works, only slower
            return
        cursor.execute("CREATE INDEX IF NOT EXISTS contact_search_trgm ON contacts_contact "
                       "USING gin (search_text gin_trgm_ops)")
        cursor.execute("DROP INDEX IF EXISTS contact_name_trgm")
        cursor.execute("DROP INDEX IF EXISTS contact_emails_trgm")


def previous_trigram_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS contact_search_trgm")
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
        for name, column in (("contact_name_trgm", "name"), ("contact_emails_trgm", "emails")):
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON contacts_contact "
                           f"USING gin (UPPER({column}::text) gin_trgm_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0002_list_sort_indexes'),
        ('lexhub', '0002_search_trigram_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='contact',
            name='search_text',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Concat(django.db.models.functions.text.Upper('name'), models.Value('\n'), django.db.models.functions.text.Upper('emails'), output_field=models.TextField()), output_field=models.TextField()),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(condition=models.Q(('deleted_upstream_at__isnull', True)), fields=['connection', 'name', 'id'], include=('search_text', 'customer_number', 'vendor_number'), name='contact_conn_name_search'),
        ),
        migrations.RunPython(trigram_index, previous_trigram_indexes),
    ]
