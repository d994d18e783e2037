"""Token authentication for the REST API: knox's tokens, read together with the user's connections.

Every API request needs the token, its user and the ids of the connections the user sees (each
queryset is scoped to them). Knox reads the first two with one ORM query and the scoping a second;
here one hand-written query returns all three, which is a third of the Python a small list request
spends (the list benchmark). Semantics are knox's: tokens stored hashed, compared in constant time,
expired ones refused and deleted, inactive users refused.
"""

from functools import cache
from hmac import compare_digest

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework import exceptions

from connections.access import connection_ids_of
from web.db import prepared_statements


class TokenAuthentication(KnoxTokenAuthentication):
    """`Authorization: Token <token>`; request.auth is the AuthToken, with `connection_ids` set."""

    def authenticate_credentials(self, token: bytes) -> tuple[object, AuthToken]:
        if "token_query" in settings.LEXHUB_SPEEDUPS_OFF:  # knox's own reading, then the connections apart
            user, auth_token = super().authenticate_credentials(token)
            auth_token.connection_ids = connection_ids_of(user)
            return user, auth_token
        invalid = exceptions.AuthenticationFailed(_("Invalid token."))
        try:
            text = token.decode("utf-8")
            digest = hash_token(text)
        except (UnicodeDecodeError, TypeError, ValueError):
            raise invalid from None
        for auth_token, connection_ids in tokens_with_key(text[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                auth_token.delete()
                continue
            if compare_digest(digest, auth_token.digest):
                auth_token.connection_ids = connection_ids
                return self.validate_user(auth_token)
        raise invalid


def tokens_with_key(token_key: str) -> list[tuple[AuthToken, list[int]]]:
    """The tokens stored under `token_key` (usually one), each with its user and the ids of the
    connections that user owns or is a member of (Connection.objects.visible_to), in id order."""
    sql, token_fields, user_fields, converters = _token_query()
    found: dict[str, tuple[AuthToken, list[int]]] = {}
    with prepared_statements(connection), connection.cursor() as cursor:  # one shape, one key: one plan
        cursor.execute(sql, [token_key])
        rows = cursor.fetchall()
    token_width, user_width = len(token_fields), len(user_fields)
    digest_index = token_fields.index("digest")
    for raw_row in rows:
        row = list(raw_row)
        for index, column, functions in converters:  # what the ORM applies to its rows (e.g. SQLite's dates)
            for convert in functions:
                row[index] = convert(row[index], column, connection)
        digest = row[digest_index]
        if digest not in found:
            auth_token = AuthToken.from_db(connection.alias, token_fields, row[:token_width])
            auth_token.user = get_user_model().from_db(
                connection.alias, user_fields, row[token_width : token_width + user_width]
            )
            found[digest] = (auth_token, [])
        if (connection_id := row[-1]) is not None:
            found[digest][1].append(connection_id)
    return list(found.values())


@cache
def _token_query() -> tuple[str, list[str], list[str], list[tuple[int, object, list]]]:
    """The query, written from the models' metadata once per process, and the database's converters
    for its columns."""
    from connections.models import Connection

    q = connection.ops.quote_name
    user_model = get_user_model()
    token_meta, user_meta, conn_meta = AuthToken._meta, user_model._meta, Connection._meta
    members = Connection.members.through._meta
    token_fields = [f.attname for f in token_meta.concrete_fields]
    user_fields = [f.attname for f in user_meta.concrete_fields]
    token_user = q(token_meta.get_field("user").column)
    columns = ", ".join(
        [
            *(f"t.{q(f.column)}" for f in token_meta.concrete_fields),
            *(f"u.{q(f.column)}" for f in user_meta.concrete_fields),
            f"c.{q(conn_meta.pk.column)}",
        ]
    )
    member_user = q(members.get_field("user").column)
    member_connection = q(members.get_field("connection").column)
    # Only quoted identifiers from the models' metadata are formatted in; the token key is a parameter.
    sql = (
        f"SELECT {columns} FROM {q(token_meta.db_table)} t "  # noqa: S608
        f"JOIN {q(user_meta.db_table)} u ON u.{q(user_meta.pk.column)} = t.{token_user} "
        f"LEFT JOIN {q(conn_meta.db_table)} c ON c.{q(conn_meta.get_field('owner').column)} = t.{token_user} "
        f"OR c.{q(conn_meta.pk.column)} IN (SELECT m.{member_connection} FROM {q(members.db_table)} m "
        f"WHERE m.{member_user} = t.{token_user}) "
        f"WHERE t.{q(token_meta.get_field('token_key').column)} = %s "
        f"ORDER BY c.{q(conn_meta.pk.column)}"
    )
    converters = []
    for index, column in enumerate(
        [*(f.get_col("t") for f in token_meta.concrete_fields), *(f.get_col("u") for f in user_meta.concrete_fields)]
    ):
        if functions := [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]:
            converters.append((index, column, functions))
    return sql, token_fields, user_fields, converters
