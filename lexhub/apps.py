from django.apps import AppConfig


class LexhubConfig(AppConfig):
    name = "lexhub"
    verbose_name = "Lexhub"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from lexhub import checks  # noqa: F401  (registers the checks)
        from lexhub.postgres import use_c_timestamp_loader

        connection_created.connect(use_c_timestamp_loader, dispatch_uid="lexhub.c_timestamp_loader")
