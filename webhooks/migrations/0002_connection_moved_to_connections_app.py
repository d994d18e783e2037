"""Connection moved to the connections app (same table): only the reference changes in Django's state."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('connections', '0001_moved_from_lexhub'),
        ('webhooks', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='eventsubscription',
                    name='connection',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='event_subscriptions', to='connections.connection'),
                ),
                migrations.AlterField(
                    model_name='webhookevent',
                    name='connection',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_events', to='connections.connection'),
                ),
                ],
            database_operations=[],
        ),
    ]
