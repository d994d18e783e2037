"""`manage.py mcp`: Lexhub's MCP server for AI assistants.

- stdio (default), for a desktop assistant that starts it: the API token in LEXHUB_MCP_TOKEN.
- `--http [--host 127.0.0.1] [--port 8001] [--workers 1]`: streamable HTTP at /mcp (uvicorn); tokens per
  request as `Authorization: Bearer <token>`.
"""

import os

import anyio
import uvicorn
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assistants.principal import TOKEN_VARIABLE, Refused, authenticate


class Command(BaseCommand):
    help = "Serve Lexhub's MCP server: over stdio (token in LEXHUB_MCP_TOKEN) or, with --http, at /mcp."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--http", action="store_true", help="Serve streamable HTTP instead of stdio.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--workers", type=int, default=1, help="Processes serving HTTP (uvicorn's workers).")

    def handle(self, *args: object, **options: object) -> None:
        if options["http"]:
            uvicorn.run(
                "assistants.asgi:application",
                host=str(options["host"]),
                port=int(str(options["port"])),
                workers=int(str(options["workers"])),
                log_level="warning",
            )
            return
        try:  # refuse at start, clearly, rather than on every call
            authenticate(os.environ.get(TOKEN_VARIABLE))
        except Refused as refused:
            raise CommandError(f"{refused} Set {TOKEN_VARIABLE} to an API token.") from None
        from assistants.server import build_server

        anyio.run(build_server().run_stdio_async)
