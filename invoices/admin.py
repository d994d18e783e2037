from django.contrib import admin

from connections.admin import ReadOnlyAdmin
from invoices.models import SalesDocument


@admin.register(SalesDocument)
class SalesDocumentAdmin(ReadOnlyAdmin):
    list_display = [
        "voucher_number",
        "kind",
        "voucher_status",
        "voucher_date",
        "address_name",
        "total_gross_amount",
        "connection",
    ]
    list_filter = ["kind", "voucher_status"]
    search_fields = ["voucher_number", "address_name"]
    raw_id_fields = ["voucher", "document_file", "xml_file"]
    show_full_result_count = False
