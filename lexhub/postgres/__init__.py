"""Lexhub's PostgreSQL database backend (ENGINE "lexhub.postgres"): Django's, with the changes in base.py."""

from contextlib import AbstractContextManager, nullcontext

from django.db.backends.base.base import BaseDatabaseWrapper


def prepared_statements(connection: BaseDatabaseWrapper) -> AbstractContextManager:
    """The backend's prepared_statements() (see base.py) where it has one, else nothing changes."""
    method = getattr(connection, "prepared_statements", None)
    return method() if method else nullcontext()
