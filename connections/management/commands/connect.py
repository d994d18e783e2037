from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from connections.services import ConnectionRejected, create_connection


class Command(BaseCommand):
    help = "Connect a Lexoffice account: verifies the API key with GET /v1/profile before saving it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--api-key", required=True, help="Stored encrypted; never printed.")
        parser.add_argument("--base-url", default="", help="Host root (default: LEXOFFICE_API_BASE_URL).")
        parser.add_argument("--owner", default=None, help="Username of the owner (default: the first superuser).")

    def handle(self, *args: object, **options: str) -> None:
        User = get_user_model()
        if options["owner"]:
            owner = User.objects.filter(username=options["owner"]).first()
            if owner is None:
                raise CommandError(f"no user named {options['owner']!r}")
        else:
            owner = User.objects.filter(is_superuser=True).order_by("pk").first()
            if owner is None:
                raise CommandError("no superuser exists; pass --owner USERNAME")
        try:
            connection = create_connection(
                name=options["name"], api_key=options["api_key"], owner=owner, base_url=options["base_url"]
            )
        except ConnectionRejected as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Connected {connection.name!r} to {connection.company_name or 'Lexoffice'} "
                f"(organization {connection.organization_id}); the key is stored encrypted."
            )
        )
