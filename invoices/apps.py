from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "invoices"

    def ready(self) -> None:
        from invoices.sync import pull_sales_documents_needing_details
        from vouchers.hooks import on_voucherlist_page

        on_voucherlist_page(pull_sales_documents_needing_details)
