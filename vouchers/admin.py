from django.contrib import admin

from connections.admin import ReadOnlyAdmin
from vouchers.models import File, Upload, Voucher


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    list_display = [
        "voucher_number",
        "voucher_type",
        "voucher_status",
        "voucher_date",
        "contact_name",
        "total_amount",
        "connection",
    ]
    list_filter = ["voucher_type", "voucher_status", "archived"]
    search_fields = ["voucher_number", "contact_name"]
    list_select_related = ["connection"]
    raw_id_fields = ["contact"]
    show_full_result_count = False


@admin.register(File)
class FileAdmin(ReadOnlyAdmin):
    list_display = ["lexoffice_id", "filename", "content_type", "size", "voucher", "fetched_at"]
    raw_id_fields = ["voucher"]
    show_full_result_count = False


@admin.register(Upload)
class UploadAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "connection", "user", "state", "size", "created_at"]
    list_filter = ["state"]
    raw_id_fields = ["target_voucher", "file", "voucher"]
