"""Where an endpoint may point: checked when it is entered and again, resolved, at every delivery.

A URL is refused unless it is plain http(s) with a host name or a canonical IP address, no user info,
no whitespace or control characters and a valid port. At send time the host is resolved once; every
address it resolves to must be public (not loopback, private, shared, link-local such as the cloud
metadata address, multicast, reserved or unspecified, nor an IPv4-mapped or NAT64 IPv6 spelling of one)
unless it lies in LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS (empty by default; `make run` and the tests
allow loopback). The delivery then connects to the address checked (transport.py), so a name whose
answer changes between check and send (DNS rebinding) cannot reach a private address.
"""

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


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
    if not host or "%" in parts.netloc or not _well_formed_host(host, bracketed=parts.netloc.startswith("[")):
        raise AddressRefused(_("The URL's host is not a valid name or IP address."))
    path = parts.path or "/"
    return Target(parts.scheme, host, port, path + (f"?{parts.query}" if parts.query else ""))


def _well_formed_host(host: str, *, bracketed: bool) -> bool:
    if bracketed:
        try:
            return ipaddress.ip_address(host).version == 6
        except ValueError:
            return False
    try:
        ipaddress.IPv4Address(host)  # canonical dotted quad only: 127.1, 0x7f000001, 0177.0.0.1 are refused
        return True
    except ValueError:
        pass
    # A name must end in a label that starts with a letter, so no numeric spelling of an address passes.
    return bool(HOST_NAME.match(host.rstrip(".")))


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(net, strict=False) for net in settings.LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS]


def is_reachable(address: IPAddress) -> bool:
    """Public, or inside a network the deployment allows."""
    if any(address in network for network in allowed_networks() if network.version == address.version):
        return True
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return is_reachable(embedded)
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def getaddrinfo(host: str, port: int) -> list[str]:
    """The resolver seam (tests patch it): the addresses `host` resolves to."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def resolve(target: Target) -> IPAddress:
    """Resolve the host once; refuse unless every address is reachable; return the one to connect to."""
    try:
        answers = getaddrinfo(target.host, target.port)
    except (OSError, UnicodeError):
        raise AddressRefused(_("The URL's host name cannot be resolved.")) from None
    addresses = [ipaddress.ip_address(answer.split("%", 1)[0]) for answer in answers]
    if not addresses:
        raise AddressRefused(_("The URL's host name cannot be resolved."))
    if not all(is_reachable(address) for address in addresses):
        raise AddressRefused(_("The URL points to a private, loopback or otherwise internal address."))
    return addresses[0]


def checked_url(url: str) -> str:
    """For input: the URL as given when it is well formed and resolves to reachable addresses."""
    resolve(parse_url(url))
    return url
