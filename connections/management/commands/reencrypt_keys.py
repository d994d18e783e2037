from django.core.management.base import BaseCommand
from django.db import transaction

from connections import crypto
from connections.models import Connection


class Command(BaseCommand):
    help = "Re-encrypt every stored API key with the first FIELD_ENCRYPTION_KEY (key rotation)."

    def handle(self, *args: object, **options: object) -> None:
        count = 0
        with transaction.atomic():
            for connection in Connection.objects.select_for_update().only("pk", "api_key_encrypted"):
                connection.api_key_encrypted = crypto.rotate(connection.api_key_encrypted)
                connection.save(update_fields=["api_key_encrypted"])
                count += 1
        self.stdout.write(self.style.SUCCESS(f"re-encrypted {count} API key(s) with the current key"))
