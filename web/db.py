"""Database features Lexhub uses where the backend has them (lexhub.postgres), and does without elsewhere."""

from contextlib import AbstractContextManager, nullcontext

from django.db.backends.base.base import BaseDatabaseWrapper


def prepared_statements(connection: BaseDatabaseWrapper) -> AbstractContextManager:
    """The backend's prepared_statements() (see base.py) where it has one, else nothing changes."""
    method = getattr(connection, "prepared_statements", None)
    return method() if method else nullcontext()
