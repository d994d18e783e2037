from django.contrib import admin

from connections.admin import ReadOnlyAdmin
from contacts.models import Contact


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["name", "connection", "customer_number", "vendor_number", "email", "archived"]
    list_filter = ["is_customer", "is_vendor", "archived"]
    search_fields = ["name", "emails"]
    list_select_related = ["connection"]
    show_full_result_count = False  # no COUNT(*) over 100,000 rows per page view
