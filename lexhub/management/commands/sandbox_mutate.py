import json

import requests
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    requires_system_checks: list = []
    help = "Change a record in the sandbox as a person in the Lexoffice web app would (webhooks follow)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "resource",
            help="contact, voucher, invoice, credit-note, quotation, ..., article, "
            "recurring-template, token (with revoke)",
        )
        parser.add_argument("action", choices=["create", "change", "archive", "delete", "pay", "status", "revoke"])
        parser.add_argument("--id", dest="record_id")
        parser.add_argument("--fields", default="{}", help="JSON object of fields to set")
        parser.add_argument("--url", default="http://127.0.0.1:8765")
        parser.add_argument("--api-key", default="sandbox-demo-key")

    def handle(self, *args: object, **options: str) -> None:
        try:
            fields = json.loads(options["fields"])
        except ValueError:
            raise CommandError("--fields must be a JSON object") from None
        response = requests.post(
            f"{options['url'].rstrip('/')}/_sandbox/mutations",
            timeout=30,
            json={
                "apiKey": options["api_key"],
                "resource": options["resource"],
                "action": options["action"],
                "id": options["record_id"],
                "fields": fields,
            },
        )
        if response.status_code >= 400:
            raise CommandError(f"sandbox answered {response.status_code}: {response.text[:300]}")
        self.stdout.write(json.dumps(response.json(), indent=2, ensure_ascii=False))
