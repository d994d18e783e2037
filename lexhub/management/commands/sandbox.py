from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from sandbox.cli import add_arguments, run


class Command(BaseCommand):
    requires_system_checks: list = []
    help = "Run the Lexoffice sandbox: a local, stateful simulator of the Lexoffice API (also `python -m sandbox`)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser, data_dir=Path(settings.VAR_DIR) / "sandbox")

    def handle(self, *args: object, **options: object) -> None:
        run(options, out=self.stdout)
