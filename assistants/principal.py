"""Who calls a tool: an API token, read as the REST API reads it (lexhub.api_auth), with its scope.

Over HTTP the token comes in each request's `Authorization: Bearer <token>` (or `Token <token>`); over
stdio from the LEXHUB_MCP_TOKEN variable of `manage.py mcp`. It is checked on every tool call, so a
revoked or expired token stops working at once, also in a long-running stdio session.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from knox.models import AuthToken
from rest_framework.exceptions import AuthenticationFailed

from lexhub.api_auth import TokenAuthentication
from lexhub.token_scope import is_read_only

TOKEN_VARIABLE = "LEXHUB_MCP_TOKEN"
SCOPE_KEY = "lexhub.principal"  # where the HTTP gate leaves the principal it read, in the ASGI scope
SCHEMES = ("bearer", "token")


class Refused(Exception):
    """The call is not allowed: no or a bad token, or a write with a read-only token. Safe to show."""


@dataclass(frozen=True)
class Principal:
    user: Any
    token: AuthToken
    read_only: bool
    connection_ids: list[int]

    def require_write(self) -> None:
        if self.read_only:
            raise Refused(_("This API token is read-only: it cannot change anything. Create a read-write token."))


def token_from_header(value: str | None) -> str | None:
    """The token of an `Authorization` header value, or None when there is none in a known scheme."""
    scheme, _sep, token = (value or "").strip().partition(" ")
    if scheme.lower() not in SCHEMES or not token.strip():
        return None
    return token.strip()


def authenticate(token: str | None) -> Principal:
    """The principal of `token`; Refused when it is missing, unknown, expired or its user inactive."""
    if not token:
        raise Refused(_("An API token is required (Authorization: Bearer <token>)."))
    try:
        user, auth_token = TokenAuthentication().authenticate_credentials(token.encode())
    except AuthenticationFailed:
        raise Refused(_("Invalid token.")) from None
    return Principal(
        user=user,
        token=auth_token,
        read_only=is_read_only(auth_token),
        connection_ids=list(getattr(auth_token, "connection_ids", [])),
    )


def principal_of_call(request: object, headers: Mapping[str, str] | None) -> Principal:
    """The principal of a tool call: the one the HTTP gate read for this request (one token query per request,
    not two), else read from the request's header or, on stdio, the environment."""
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict) and isinstance(found := scope.get(SCOPE_KEY), Principal):
        return found
    return authenticate(token_of_call(headers))


def token_of_call(headers: Mapping[str, str] | None) -> str | None:
    """The token of a tool call: the HTTP request's header, or on stdio (no headers) the environment's."""
    if headers is None:
        return os.environ.get(TOKEN_VARIABLE) or None
    lowered = {key.lower(): value for key, value in headers.items()}
    return token_from_header(lowered.get("authorization"))
