from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "vouchers"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from connections import generations
        from connections.hooks import SyncStep, register_sync_step
        from vouchers import sync  # also registers the voucher write operations (connections.writes)
        from vouchers.models import Voucher

        register_sync_step(
            SyncStep(
                name="vouchers",
                order=20,  # after contacts: list entries link to their contact
                pull=lambda *, since, **context: sync.pull_voucherlist(**context, updated_since=since),
                mirrored=lambda connection: Voucher.objects.filter(connection=connection),
            )
        )
        # Saves outside the mirror's upserts (admin, shell, tests) change totals too.
        post_save.connect(lambda instance, **_: generations.bump(instance.connection_id), sender=Voucher, weak=False)
