"""System checks: stored secrets must be readable with the configured key; Lexoffice addresses allowed."""

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError

from connections.crypto import unreadable_stored_keys
from connections.models import Connection
from lexoffice.hosts import allowed_base_urls, normalize_base_url


@register()
def check_stored_keys_readable(app_configs: object = None, **kwargs: object) -> list[Error]:
    unreadable, stored = unreadable_stored_keys()
    if not unreadable:
        return []
    return [
        Error(
            f"{unreadable} of {stored} stored Lexoffice API keys cannot be decrypted with FIELD_ENCRYPTION_KEY.",
            hint="The key was lost or changed. Restore it; to rotate, prepend the new key, keep the old one, "
            "run `manage.py reencrypt_keys`, then drop the old key.",
            id="lexhub.E001",
        )
    ]


@register()
def check_lexoffice_addresses(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """The configured addresses must be plain host roots; stored connections must still point at one."""
    problems: list[CheckMessage] = []
    for setting, values in (
        ("LEXOFFICE_API_BASE_URL", [settings.LEXOFFICE_API_BASE_URL]),
        ("LEXOFFICE_API_BASE_URLS", settings.LEXOFFICE_API_BASE_URLS),
    ):
        problems += [
            Error(
                f"{setting} holds {value!r}, which is not a plain scheme://host[:port] address.",
                hint="No user info, path, query or fragment.",
                id="lexhub.E002",
            )
            for value in values
            if normalize_base_url(value) is None
        ]
    try:
        stored = list(Connection.objects.exclude(base_url="").values_list("name", "base_url"))
    except DatabaseError:  # not migrated yet: nothing stored to check
        return problems
    allowed = allowed_base_urls()
    refused = sorted(name for name, url in stored if normalize_base_url(url) not in allowed)
    if refused:
        problems.append(
            CheckWarning(
                f"{len(refused)} connection(s) point at a Lexoffice address this deployment no longer allows and are "
                f"refused at use: {', '.join(refused[:10])}.",
                hint="Add the address to LEXOFFICE_API_BASE_URLS, or delete and reconnect those connections.",
                id="lexhub.W003",
            )
        )
    return problems
