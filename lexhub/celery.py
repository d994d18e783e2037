import os
import sys

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lexhub.settings")

app = Celery("lexhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _refuse_unreadable_keys(**kwargs: object) -> None:
    """A worker with the wrong FIELD_ENCRYPTION_KEY would fail every task; stop it at start-up instead."""
    from django.core.exceptions import ImproperlyConfigured

    from connections.crypto import require_readable_keys

    try:
        require_readable_keys()
    except ImproperlyConfigured as exc:
        # Celery logs and swallows ordinary exceptions from signal receivers; SystemExit stops the worker.
        print(f"lexhub: {exc}", file=sys.stderr)
        raise SystemExit(78) from None
