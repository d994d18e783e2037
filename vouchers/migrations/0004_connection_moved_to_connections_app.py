"""Connection moved to the connections app (same table): only the reference changes in Django's state."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('connections', '0001_moved_from_lexhub'),
        ('vouchers', '0003_number_indexes_per_list'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='file',
                    name='connection',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='connections.connection'),
                ),
                migrations.AlterField(
                    model_name='upload',
                    name='connection',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='uploads', to='connections.connection'),
                ),
                migrations.AlterField(
                    model_name='voucher',
                    name='connection',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='connections.connection'),
                ),
                ],
            database_operations=[],
        ),
    ]
