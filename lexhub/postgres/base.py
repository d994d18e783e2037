"""Django's PostgreSQL backend with three changes to what every request pays for its connection.

Timestamps: Django registers a Python subclass of psycopg's timestamptz loader on every connection (to
attach its time zone), which parses each value in Python: ~4 µs a value, over a millisecond for a page
of 50 vouchers with four timestamps each. Django keeps its connections in UTC, which the C loader
already returns, so for UTC connections the C loader serves unchanged (~0.6 µs a value).

Prepared statements: see DatabaseWrapper.prepared_statements. Health checks: see DatabaseWrapper.is_usable.
"""

import datetime
import select
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base, operations
from psycopg import adapters, pq
from psycopg.adapt import Loader
from psycopg.postgres import types
from psycopg.pq import Format


class PreparedCursor(psycopg.Cursor):
    """Binds parameters on the server and has each statement prepared once per connection."""

    def execute(
        self, query: object, params: object = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> "PreparedCursor":
        return super().execute(query, params, prepare=True, binary=binary)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: object, sql: str, params: object) -> str | None:
        if isinstance(cursor, PreparedCursor):  # bound on the server: psycopg keeps no composed text
            try:
                return self.compose_sql(sql, params)
            except psycopg.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    preparing = False

    def is_usable(self) -> bool:
        """Django's health check (CONN_HEALTH_CHECKS) sends `SELECT 1` before each request's first query: one
        of the three round trips of an API list request. A connection the server has ended (a restart, an
        idle timeout, pg_terminate_backend) has its closing message or end-of-file waiting on the socket,
        while a live idle one has nothing to read, so asking the socket tells the same without a round trip.
        Anything readable counts as unusable, and the connection is replaced, which is always safe."""
        if self.connection is None or not hasattr(select, "poll"):
            return bool(super().is_usable())
        pgconn = self.connection.pgconn
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status not in (
            pq.TransactionStatus.IDLE,
            pq.TransactionStatus.INTRANS,
        ):
            return False
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
        return not poller.poll(0)  # readable, hung up or in error: the server has closed it

    @contextmanager
    def prepared_statements(self) -> Iterator[None]:
        """Queries run inside are parsed and planned once per connection, then only executed.

        For queries whose shape never changes and whose parameters cannot change the best plan (a token
        lookup, a list walked by its index): PostgreSQL plans the first five executions with the values
        and then keeps a generic plan, which for values that skew the data (a search term, a rare
        status) can be far worse than a plan made for them. LEXHUB_PREPARED_STATEMENTS=false turns it off
        (for a connection pooler that cannot keep prepared statements).
        """
        if not settings.LEXHUB_PREPARED_STATEMENTS or self.preparing:
            yield
            return
        self.preparing = True
        try:
            yield
        finally:
            self.preparing = False

    def create_cursor(self, name: str | None = None) -> psycopg.Cursor:
        if not self.preparing or name is not None:
            return super().create_cursor(name)
        cursor = PreparedCursor(self.connection)
        loader = self.connection.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)
        if self.timezone != loader.timezone:  # as Django's create_cursor does
            base.register_tzloader(self.timezone, cursor)
        return cursor

    def init_connection_state(self) -> None:
        super().init_connection_state()
        if settings.LEXHUB_PREPARED_STATEMENTS and self.connection.prepare_threshold is None:
            # psycopg prepares nothing while this is None (Django's default). Django's own cursors bind on
            # the client and never prepare either way, so only PreparedCursor's statements are prepared.
            self.connection.prepare_threshold = 5
        if self.timezone_name == "UTC" and "utc_loader" not in settings.LEXHUB_SPEEDUPS_OFF:
            self.connection.adapters.register_loader("timestamptz", _utc_loader_class())


@cache
def _utc_loader_class() -> type:
    c_loader = adapters.get_loader(types["timestamptz"].oid, Format.TEXT)  # the C class when compiled

    class UtcTimestamptzLoader(Loader):
        # Django compares this with the connection's zone before each cursor, and re-registers its own
        # loader when they differ.
        timezone = datetime.UTC

        def __init__(self, oid: int, context: object = None) -> None:
            super().__init__(oid, context)
            self.load = c_loader(oid, context).load  # the C method itself, no Python frame per value

        def load(self, data: bytes) -> datetime.datetime:  # replaced per instance in __init__
            raise NotImplementedError

    return UtcTimestamptzLoader
