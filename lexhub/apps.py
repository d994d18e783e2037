from django.apps import AppConfig


class LexhubConfig(AppConfig):
    name = "lexhub"
    verbose_name = "Lexhub"
