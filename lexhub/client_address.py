"""The address of the client behind a request, and the key throttles count it under (login, password reset).

REMOTE_ADDR unless settings.TRUSTED_PROXY_COUNT says proxies of ours stand in front: each of them appends
the address it was connected from to X-Forwarded-For, so the last TRUSTED_PROXY_COUNT entries are theirs
and the entry TRUSTED_PROXY_COUNT from the right is the one our outermost proxy saw. Everything left of it
came from the client and may be forged; it is never read.
"""

from ipaddress import ip_address, ip_network

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address in normal form, or "" when none can be told (e.g. a Unix socket)."""
    remote = _normal(request.META.get("REMOTE_ADDR", ""))
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [entry for entry in entries if entry]
    if len(entries) < hops:
        # Fewer entries than proxies: the request did not pass all of them (or one is misconfigured). The
        # peer is the best we know; trusting a shorter header would let a client name its own address.
        return remote
    return _normal(entries[-hops]) or remote


def throttle_address(request: HttpRequest) -> str:
    """client_address for counting attempts: an IPv6 address as its /64 network (written as its first
    address), since one subscriber usually holds a whole /64 and could rotate through it at will."""
    address = client_address(request)
    if ":" in address:
        return str(ip_network(f"{address}/64", strict=False).network_address)
    return address


def axes_client_address(request: HttpRequest) -> str | None:
    """throttle_address for django-axes (AXES_CLIENT_IP_CALLABLE): its ip_address column takes NULL, not ""."""
    return throttle_address(request) or None


def _normal(value: str) -> str:
    """An IPv4 or IPv6 address as ipaddress writes it; proxies' "1.2.3.4:5678" and "[::1]:5678" forms
    included. Anything else is "" (it must not reach a database column typed inet)."""
    value = value.strip()
    candidates = [value]
    if value.startswith("[") and "]" in value:  # [v6] or [v6]:port
        candidates.append(value[1 : value.index("]")])
    elif value.count(":") == 1:  # v4:port (a bare v6 address has several colons)
        candidates.append(value.split(":", 1)[0])
    for candidate in candidates:
        try:
            address = ip_address(candidate)
        except ValueError:
            continue
        if address.version == 6 and address.ipv4_mapped:  # ::ffff:1.2.3.4 is the IPv4 client 1.2.3.4
            address = address.ipv4_mapped
        elif address.version == 6 and address.scope_id:  # fe80::1%eth0: the zone is local detail
            address = ip_address(str(address).split("%", 1)[0])
        return str(address)
    return ""
