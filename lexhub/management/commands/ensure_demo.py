import os
import time

import requests
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from connections.models import Connection, SyncRun
from connections.services import ConnectionRejected, create_connection
from connections.sync import start_sync

DEMO_NAME = "Demo (sandbox)"
DEMO_KEY = "sandbox-demo-key"  # the sandbox's documented demo key; not a secret


class Command(BaseCommand):
    help = "make run: connect the local sandbox as a demo connection once, and start its first sync."

    def handle(self, *args: object, **options: object) -> None:
        base_url = os.environ.get("LEXHUB_DEMO_SANDBOX_URL", "http://127.0.0.1:8765")
        owner = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        if owner is None:
            raise CommandError("run `manage.py ensure_admin` first")
        if Connection.objects.filter(owner=owner, name=DEMO_NAME).exists():
            return
        self._wait_for(base_url)
        try:
            connection = create_connection(name=DEMO_NAME, api_key=DEMO_KEY, owner=owner, base_url=base_url)
        except ConnectionRejected as exc:
            raise CommandError(f"could not connect the sandbox: {exc}") from None
        start_sync(connection=connection, kind=SyncRun.Kind.FULL)
        self.stdout.write(self.style.SUCCESS(f"Connected the sandbox at {base_url} as {DEMO_NAME!r}; syncing."))

    def _wait_for(self, base_url: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                requests.get(f"{base_url}/_sandbox/health", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.5)
        raise CommandError(f"the sandbox at {base_url} did not answer within {timeout:.0f}s")
