"""Which addresses a door to the outside may reach when a user chose the host (an outgoing webhook's URL, an
intake mailbox's server): public ones, and those in networks the deployment allows for that door.

Refused: loopback, private, shared, link-local (the cloud metadata address among them), multicast, reserved
and unspecified addresses, and IPv6 spellings of one (IPv4-mapped, NAT64, 6to4, Teredo). A host is resolved
once and the caller connects to the address checked, so a name whose answer changes between the check and
the connection (DNS rebinding) cannot lead inside.
"""

import ipaddress
import re
import socket
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Unresolvable(Exception):
    """The host name has no address."""


class Internal(Exception):
    """The host resolves to an address the door may not reach."""


def well_formed_host(host: str, *, bracketed: bool = False) -> bool:
    """A host name, a canonical dotted IPv4 address, or (bracketed in a URL, or containing a colon) IPv6."""
    if bracketed or ":" in host:
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


def networks(values: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(value, strict=False) for value in values]


def is_reachable(address: IPAddress, allowed: list[Network]) -> bool:
    """Public, or inside one of the `allowed` networks."""
    if any(address in network for network in allowed if network.version == address.version):
        return True
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return is_reachable(embedded, allowed)
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


def resolve(host: str, port: int, allowed: list[Network]) -> IPAddress:
    """Resolve the host once; raise Unresolvable or Internal unless every address is reachable; return the
    one to connect to."""
    try:
        answers = getaddrinfo(host, port)
    except (OSError, UnicodeError):
        raise Unresolvable(host) from None
    addresses = [ipaddress.ip_address(answer.split("%", 1)[0]) for answer in answers]
    if not addresses:
        raise Unresolvable(host)
    if not all(is_reachable(address, allowed) for address in addresses):
        raise Internal(host)
    return addresses[0]
