"""Admin: a read-only window onto the mirror and the bookkeeping of writes.

Mirror rows change only through sync and the write services (so Lexoffice stays the source of truth);
the admin may rename a connection or change its members, never see or edit its API key.
"""

from django.contrib import admin
from django.http import HttpRequest

from connections.models import AuditLog, Connection, OutboxEntry, SyncRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "company_name", "status", "key_expires_on", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "company_name"]
    exclude = ["api_key_encrypted", "webhook_token"]  # the callback URL is a capability too
    readonly_fields = [
        "owner",
        "base_url",
        "organization_id",
        "company_name",
        "profile",
        "status",
        "status_detail",
        "key_created_on",
        "key_expires_on",
        "created_at",
        "updated_at",
    ]
    filter_horizontal = ["members"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a key must be verified first: Connections → Add, the API or `manage.py connect`


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "connection", "kind", "state", "phase", "done", "total", "requests", "errors", "created_at"]
    list_filter = ["state", "kind"]


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "connection", "user", "action", "method", "path", "status", "result"]
    list_filter = ["result", "action"]
    search_fields = ["path", "lexoffice_id"]


@admin.register(OutboxEntry)
class OutboxEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "connection", "operation", "state", "attempts", "lexoffice_id", "created_at", "sent_at"]
    list_filter = ["state", "operation"]
