from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "vouchers"

    def ready(self) -> None:
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
