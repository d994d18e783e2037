from django.apps import AppConfig


class EInvoicesConfig(AppConfig):
    name = "einvoices"
    verbose_name = "E-invoices"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from einvoices.store import recognise_fetched_file, recognise_received_file
        from vouchers.hooks import on_file_fetched, on_file_received

        on_file_received(recognise_received_file)
        on_file_fetched(recognise_fetched_file)
