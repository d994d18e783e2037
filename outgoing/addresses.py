"""Where an endpoint may point: checked when it is entered and again, resolved, at every delivery.

A URL is refused unless it is plain http(s) with a host name or a canonical IP address, no user info,
no whitespace or control characters and a valid port. At send time the host is resolved once; every
address it resolves to must be public (web.addresses) unless it lies in
LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS (empty by default; `make run` and the tests allow loopback). The
delivery then connects to the address checked (transport.py), so a name whose answer changes between check
and send (DNS rebinding) cannot reach a private address.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from web import addresses
from web.addresses import IPAddress


class AddressRefused(Exception):
    """The URL or the address it resolves to may not be reached. `message` is safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written (a name, or an IP address without brackets)
    port: int
    path: str  # path and query, at least "/"


def parse_url(url: str) -> Target:
    """The parts of an endpoint URL, or AddressRefused. No resolution here."""
    if not url or len(url) > 500 or any(not ch.isprintable() or ch.isspace() or ch == "\\" for ch in url):
        raise AddressRefused(_("Enter an http or https URL without spaces."))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not url.lower().startswith(f"{parts.scheme}://"):
        raise AddressRefused(_("Only http and https URLs can receive webhooks."))
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise AddressRefused(_("The URL must not contain a user name or password."))
    if parts.fragment or "#" in url:
        raise AddressRefused(_("The URL must not contain a fragment (#)."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise AddressRefused(_("The URL's port is not valid.")) from None
    host = (parts.hostname or "").lower()
    if not host or "%" in parts.netloc or not addresses.well_formed_host(host, bracketed=parts.netloc.startswith("[")):
        raise AddressRefused(_("The URL's host is not a valid name or IP address."))
    path = parts.path or "/"
    return Target(parts.scheme, host, port, path + (f"?{parts.query}" if parts.query else ""))


def allowed_networks() -> list[addresses.Network]:
    return addresses.networks(settings.LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS)


def resolve(target: Target) -> IPAddress:
    """Resolve the host once; refuse unless every address is reachable; return the one to connect to."""
    try:
        return addresses.resolve(target.host, target.port, allowed_networks())
    except addresses.Unresolvable:
        raise AddressRefused(_("The URL's host name cannot be resolved.")) from None
    except addresses.Internal:
        raise AddressRefused(_("The URL points to a private, loopback or otherwise internal address.")) from None


def checked_url(url: str) -> str:
    """For input: the URL as given when it is well formed and resolves to reachable addresses."""
    resolve(parse_url(url))
    return url
