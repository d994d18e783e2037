from django.apps import AppConfig


class LexhubConfig(AppConfig):
    name = "lexhub"
    verbose_name = "Lexhub"

    def ready(self) -> None:
        from lexhub import checks  # noqa: F401  (registers the checks)
