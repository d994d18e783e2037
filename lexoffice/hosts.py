"""Where Lexhub may send an API key: the deployment's Lexoffice addresses, never a user's choice.

A connection's base URL is either empty (the deployment's `LEXOFFICE_API_BASE_URL`) or one of the
addresses the deployment lists in `LEXOFFICE_API_BASE_URLS` (e.g. `make run`'s sandbox). Anything else
is refused, however it is spelled: the comparison is made on a strict normal form (scheme, host and
optional port; no user info, path, query, fragment or escapes), so `127.1`, `0x7f000001` or a
`#`-suffixed internal URL can never match an allowed entry. The client checks it again on every
construction, so a stored URL that a deployment no longer allows is refused at use.
"""

import re

from django.conf import settings

from lexoffice.errors import LexofficeError

SETTING_HINT = "LEXOFFICE_API_BASE_URLS"
_FORM = re.compile(r"^(https?)://([a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]{2,45}\])(?::([0-9]{1,5}))?/?$")


class BaseUrlNotAllowed(LexofficeError):
    """The address is not one this deployment allows; nothing was sent."""

    def __init__(self) -> None:
        super().__init__(
            f"This Lexoffice address is not allowed here. Leave it empty for Lexoffice, or ask the administrator "
            f"to add it to {SETTING_HINT}."
        )


def normalize_base_url(value: str) -> str | None:
    """`scheme://host[:port]` in lower case, or None when `value` is anything more or other than that."""
    match = _FORM.match(value.strip().lower()) if isinstance(value, str) else None
    if match is None:
        return None
    scheme, host, port = match.groups()
    if port is not None and not 0 < int(port) < 65536:
        return None
    return f"{scheme}://{host}" + (f":{int(port)}" if port else "")


def default_base_url() -> str:
    return normalize_base_url(settings.LEXOFFICE_API_BASE_URL) or settings.LEXOFFICE_API_BASE_URL.rstrip("/")


def allowed_base_urls() -> list[str]:
    """The default first, then the extra addresses; read at every call, so tests and reloads see changes."""
    urls = [default_base_url()]
    for extra in settings.LEXOFFICE_API_BASE_URLS:
        normal = normalize_base_url(extra)
        if normal and normal not in urls:
            urls.append(normal)
    return urls


def checked_base_url(value: str | None) -> str:
    """The stored form of a connection's base URL: "" for the default, else an allowed address."""
    if not value or not value.strip():
        return ""
    normal = normalize_base_url(value)
    if normal is None or normal not in allowed_base_urls():
        raise BaseUrlNotAllowed
    return "" if normal == default_base_url() else normal


def resolved_base_url(value: str | None) -> str:
    """The address to send to: the default for "", else `value` if it is still allowed."""
    return checked_base_url(value) or default_base_url()
