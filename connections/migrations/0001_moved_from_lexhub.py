"""The models of connections moved here from the lexhub app; their tables keep their names (db_table), so
only Django's record of them changes: no table is created, and every row stays where it is."""

import connections.models
import datetime
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ("connection", "syncrun", "auditlog", "outboxentry")


def _relabel(apps, old: str, new: str) -> None:
    # Permissions and admin history hang on the content type: relabel it rather than let a new one appear.
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not content_type.objects.filter(app_label=new, model=model).exists():
            content_type.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types(apps, schema_editor) -> None:
    _relabel(apps, "lexhub", "connections")


def move_content_types_back(apps, schema_editor) -> None:
    _relabel(apps, "connections", "lexhub")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('lexhub', '0002_search_trigram_indexes'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Connection',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100)),
                        ('api_key_encrypted', models.TextField(editable=False)),
                        ('base_url', models.URLField(blank=True, help_text='Host root; empty means LEXOFFICE_API_BASE_URL.')),
                        ('organization_id', models.UUIDField(blank=True, db_index=True, null=True)),
                        ('company_name', models.CharField(blank=True, max_length=255)),
                        ('profile', models.JSONField(blank=True, default=dict)),
                        ('status', models.CharField(choices=[('active', 'Active'), ('invalid_key', 'Invalid key'), ('revoked', 'Revoked')], default='active', max_length=20)),
                        ('status_detail', models.CharField(blank=True, max_length=255)),
                        ('key_created_on', models.DateField(default=datetime.date.today)),
                        ('key_expires_on', models.DateField(blank=True, null=True)),
                        ('webhook_token', models.CharField(default=connections.models.new_webhook_token, editable=False, max_length=64, unique=True)),
                        ('rate_limit', models.FloatField(default=2.0, help_text='Requests per second allowed for this key.')),
                        ('fetch_files_eagerly', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('members', models.ManyToManyField(blank=True, db_table='lexhub_connection_members', related_name='connections', to=settings.AUTH_USER_MODEL)),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='owned_connections', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'lexhub_connection',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='AuditLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(max_length=60)),
                        ('method', models.CharField(max_length=10)),
                        ('path', models.CharField(max_length=500)),
                        ('payload_sha256', models.CharField(blank=True, max_length=64)),
                        ('status', models.PositiveSmallIntegerField(null=True)),
                        ('result', models.CharField(max_length=20)),
                        ('lexoffice_id', models.CharField(blank=True, max_length=64)),
                        ('message', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                        ('connection', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='audit_entries', to='connections.connection')),
                    ],
                    options={
                        'db_table': 'lexhub_auditlog',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='OutboxEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('operation', models.CharField(help_text='e.g. create_contact, update_contact, create_voucher', max_length=40)),
                        ('target_id', models.CharField(blank=True, help_text='Lexoffice id for updates', max_length=64)),
                        ('payload', models.JSONField()),
                        ('idempotency_key', models.UUIDField(unique=True)),
                        ('state', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], db_index=True, default='pending', max_length=20)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('locked_until', models.DateTimeField(blank=True, null=True)),
                        ('error', models.TextField(blank=True)),
                        ('lexoffice_id', models.CharField(blank=True, max_length=64)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('connection', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outbox', to='connections.connection')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'lexhub_outboxentry',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='SyncRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('full', 'Full'), ('incremental', 'Incremental'), ('reconcile', 'Reconcile')], max_length=20)),
                        ('state', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], db_index=True, default='queued', max_length=20)),
                        ('phase', models.CharField(blank=True, max_length=40)),
                        ('done', models.PositiveIntegerField(default=0)),
                        ('total', models.PositiveIntegerField(default=0)),
                        ('counts', models.JSONField(blank=True, default=dict)),
                        ('requests', models.PositiveIntegerField(default=0)),
                        ('errors', models.PositiveIntegerField(default=0)),
                        ('error', models.TextField(blank=True)),
                        ('checkpoint', models.JSONField(blank=True, default=dict)),
                        ('since', models.DateTimeField(blank=True, help_text='Incremental: changes since this time.', null=True)),
                        ('lease_until', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('connection', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sync_runs', to='connections.connection')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'lexhub_syncrun',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='connection',
                    constraint=models.UniqueConstraint(fields=('owner', 'name'), name='connection_unique_name_per_owner'),
                ),
                migrations.AddConstraint(
                    model_name='syncrun',
                    constraint=models.UniqueConstraint(condition=models.Q(('state__in', ['queued', 'running'])), fields=('connection',), name='syncrun_one_unfinished_per_connection'),
                ),
                ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
