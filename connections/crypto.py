"""Encryption at rest for secrets (Lexoffice API keys): Fernet with rotation via MultiFernet."""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with any configured FIELD_ENCRYPTION_KEY."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.strip()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("stored secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEY") from None


def rotate(token: str) -> str:
    """Re-encrypt with the first (newest) key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("stored secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEY") from None


def unreadable_stored_keys() -> tuple[int, int]:
    """(unreadable, stored) API keys. A lost or wrong FIELD_ENCRYPTION_KEY shows here before any sync fails.

    (0, 0) when the table does not exist yet or the database is unreachable: that is another check's news.
    """
    from django.db import DatabaseError

    from connections.models import Connection

    try:
        tokens = list(Connection.objects.values_list("api_key_encrypted", flat=True))
    except DatabaseError:
        return 0, 0
    unreadable = 0
    for token in tokens:
        try:
            fernet().decrypt(token.encode())
        except InvalidToken:
            unreadable += 1
    return unreadable, len(tokens)


def require_readable_keys() -> None:
    """Stop a process at start-up when stored API keys cannot be decrypted with the configured keys."""
    from django.core.exceptions import ImproperlyConfigured

    unreadable, stored = unreadable_stored_keys()
    if unreadable:
        raise ImproperlyConfigured(
            f"{unreadable} of {stored} stored Lexoffice API keys cannot be decrypted with FIELD_ENCRYPTION_KEY. "
            "The key was lost or changed: restore it (keep the old key after the new one while rotating, "
            "then run `manage.py reencrypt_keys`)."
        )
