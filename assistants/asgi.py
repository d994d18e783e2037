"""The MCP server as an ASGI application for any ASGI server: `uvicorn assistants.asgi:application`
(what `manage.py mcp --http` runs; see assistants/http.py)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lexhub.settings")
django.setup()

from assistants.http import application as _build  # noqa: E402  (needs the app registry loaded above)

application = _build()
