from django.contrib import admin

from connections.admin import ReadOnlyAdmin
from webhooks.models import EventSubscription, WebhookEvent


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "connection", "event_type", "resource_id", "state", "attempts"]
    list_filter = ["state", "event_type"]
    search_fields = ["resource_id"]
    show_full_result_count = False


@admin.register(EventSubscription)
class EventSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["connection", "event_type", "subscription_id"]
    exclude = ["callback_url"]  # holds the connection's webhook token
