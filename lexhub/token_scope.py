"""An API token's scope (lexhub.models.TokenScope) and the REST API's check of it. A module of its own:
DRF's settings name the permission, and lexhub.tokens imports the API's base classes, which read them."""

from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken
from rest_framework import permissions
from rest_framework.request import Request

from lexhub.models import TokenScope


def is_read_only(token: AuthToken) -> bool:
    """Whether `token` may only read (no scope row: a token from before scopes, full power)."""
    return TokenScope.objects.filter(token_id=token.digest, read_only=True).exists()


class ReadOnlyTokenPermission(permissions.BasePermission):
    """A read-only token gets the safe methods only; a session or a read-write token everything."""

    message = _("This API token is read-only: it cannot change anything.")

    def has_permission(self, request: Request, view: object) -> bool:
        if request.method in permissions.SAFE_METHODS or not isinstance(request.auth, AuthToken):
            return True
        return not is_read_only(request.auth)
