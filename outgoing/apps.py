from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutgoingConfig(AppConfig):
    name = "outgoing"
    verbose_name = _("Outgoing webhooks")

    def ready(self) -> None:
        from connections.changes import on_change, on_notice
        from outgoing.events import record_change, record_notice

        on_change(record_change)
        on_notice(record_notice)
