"""System checks that need the database: stored secrets must be readable with the configured key."""

from django.core.checks import Error, register

from lexhub.crypto import unreadable_stored_keys


@register()
def check_stored_keys_readable(app_configs: object = None, **kwargs: object) -> list[Error]:
    unreadable, stored = unreadable_stored_keys()
    if not unreadable:
        return []
    return [Error(
        f"{unreadable} of {stored} stored Lexoffice API keys cannot be decrypted with FIELD_ENCRYPTION_KEY.",
        hint="The key was lost or changed. Restore it; to rotate, prepend the new key, keep the old one, "
             "run `manage.py reencrypt_keys`, then drop the old key.",
        id="lexhub.E001",
    )]
