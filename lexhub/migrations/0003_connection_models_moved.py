"""The lexhub app lets go of the models that moved to the connections app; their tables stay (now owned by
connections), so nothing is dropped."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('lexhub', '0002_search_trigram_indexes'),
        ('connections', '0001_moved_from_lexhub'),
        ('contacts', '0005_connection_moved_to_connections_app'),
        ('invoices', '0002_connection_moved_to_connections_app'),
        ('vouchers', '0004_connection_moved_to_connections_app'),
        ('webhooks', '0002_connection_moved_to_connections_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='connection',
                    name='members',
                ),
                migrations.RemoveField(
                    model_name='connection',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='outboxentry',
                    name='connection',
                ),
                migrations.RemoveField(
                    model_name='syncrun',
                    name='connection',
                ),
                migrations.RemoveField(
                    model_name='outboxentry',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='syncrun',
                    name='requested_by',
                ),
                migrations.DeleteModel(
                    name='AuditLog',
                ),
                migrations.DeleteModel(
                    name='Connection',
                ),
                migrations.DeleteModel(
                    name='OutboxEntry',
                ),
                migrations.DeleteModel(
                    name='SyncRun',
                ),
                ],
            database_operations=[],
        ),
    ]
