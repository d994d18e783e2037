from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lexhub.tokens import issue_token


class Command(BaseCommand):
    help = "Create an API token for a user and print it once (it is stored hashed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--read-only",
            action="store_true",
            help="The token may only read (REST API: GET; MCP: the read tools). Default: read and write.",
        )

    def handle(self, *args: object, **options: object) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        _instance, token = issue_token(user, read_only=bool(options["read_only"]))
        self.stdout.write(token)
