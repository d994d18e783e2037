from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self) -> None:
        from connections.hooks import on_before_delete, on_subscribe_webhooks
        from webhooks import checks  # noqa: F401  (registers the system check)
        from webhooks.subscriptions import unregister_webhooks
        from webhooks.tasks import register_webhooks_task

        on_subscribe_webhooks(register_webhooks_task.delay)
        on_before_delete(lambda connection: unregister_webhooks(connection=connection))
