import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lexhub.settings")
application = get_wsgi_application()

# A web process with the wrong FIELD_ENCRYPTION_KEY stops at start-up with a clear message.
from connections.crypto import require_readable_keys  # noqa: E402  (needs the app registry loaded above)

require_readable_keys()
