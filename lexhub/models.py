from django.db import models
from django.utils.translation import gettext_lazy as _


class TokenScope(models.Model):
    """What an API token may do, beside knox's AuthToken (which has no such field).

    A token without a row keeps the full power every token had before scopes existed; a read-only token
    may read everything its user sees but write nothing (REST API: safe methods only; MCP: read tools only).
    """

    token = models.OneToOneField("knox.AuthToken", primary_key=True, on_delete=models.CASCADE, related_name="scope")
    read_only = models.BooleanField(_("read only"), default=True)

    def __str__(self) -> str:
        return "read-only" if self.read_only else "read-write"
