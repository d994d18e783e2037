"""Which connections a request may see: every page and API view scopes its rows with these."""

from typing import Any, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from rest_framework.request import Request

from connections.models import Connection


def connection_ids_of(user: AbstractBaseUser | AnonymousUser) -> list[int]:
    """The connections `user` sees, as a list (one small query) for `connection_id IN (...)`.

    With the subquery instead, PostgreSQL cannot know there is usually one connection and sorts every
    row of the account; with `connection_id IN (1)` it walks the (connection, field, id) index in order.
    """
    return list(Connection.objects.visible_to(user).order_by("pk").values_list("pk", flat=True))


def visible_connection_ids(request: Request) -> list[int]:
    """The user's connections, resolved once per request (read with the API token where it was used)."""
    cached = getattr(request, "_lexhub_connection_ids", None)
    if cached is None:
        cached = getattr(request.auth, "connection_ids", None)  # lexhub.api_auth reads them with the token
        if cached is None:
            cached = connection_ids_of(request.user)
        cast(Any, request)._lexhub_connection_ids = cached  # a per-request memo on DRF's request
    return cached


class WalkedList:
    """A viewset whose list KeysetPagination can walk as a compiled query (web.compiled_walks): `list_rows`
    are the list's rows before any filter; the walk adds the request's connections and the cursor."""

    list_rows: QuerySet
    request: Request

    def walk_rows(self, connection_ids: list[int]) -> QuerySet:
        return self.list_rows.filter(connection_id__in=connection_ids)

    def connection_ids(self) -> list[int]:
        return visible_connection_ids(self.request)
