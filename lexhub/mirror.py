"""Pieces every mirrored model shares: the key (connection, Lexoffice id), freshness guard, scoping."""

from datetime import datetime

from django.db import models


class MirrorQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MirrorQuerySet":
        from lexhub.models import Connection

        return self.filter(connection__in=Connection.objects.visible_to(user))

    def for_connection(self, connection) -> "MirrorQuerySet":
        return self.filter(connection=connection)

    def present(self) -> "MirrorQuerySet":
        return self.filter(deleted_upstream_at__isnull=True)


class MirroredModel(models.Model):
    """A local copy of one Lexoffice record; `raw` is the last fetched JSON, verbatim."""

    connection = models.ForeignKey("lexhub.Connection", on_delete=models.CASCADE, related_name="+")
    lexoffice_id = models.UUIDField()
    version = models.IntegerField(null=True, blank=True)
    remote_updated_at = models.DateTimeField(null=True, blank=True, db_index=True)
    remote_created_at = models.DateTimeField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    raw = models.JSONField(default=dict, blank=True)
    synced_at = models.DateTimeField(auto_now=True)
    deleted_upstream_at = models.DateTimeField(null=True, blank=True)

    objects = MirrorQuerySet.as_manager()

    class Meta:
        abstract = True


def is_older(*, incoming_version: int | None, incoming_updated: datetime | None,
             stored_version: int | None, stored_updated: datetime | None) -> bool:
    """True when the incoming copy is older than the stored one and must not overwrite it."""
    if incoming_version is not None and stored_version is not None and incoming_version != stored_version:
        return incoming_version < stored_version
    if incoming_updated is not None and stored_updated is not None:
        return incoming_updated < stored_updated
    return False
