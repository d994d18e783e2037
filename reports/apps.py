from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Open items and dunning, charts, list exports and the period export for the tax advisor."""

    name = "reports"

    def ready(self) -> None:
        from reports import dunning  # noqa: F401 - registers the dunning write operation (connections.writes)
