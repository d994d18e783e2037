"""Send one signed POST to an endpoint over a connection pinned to the address that was checked.

http.client, not requests: its connection classes let us choose the socket's address while the Host
header and TLS's server name stay the URL's host, and they never follow a redirect (a 3xx is simply
the answer, and counts as a failure). Response bodies are read up to RESPONSE_LIMIT bytes.
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from outgoing.addresses import Target
from web.addresses import IPAddress

RESPONSE_LIMIT = 2048
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0


@dataclass(frozen=True)
class Answer:
    status: int | None
    excerpt: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _Pinned:
    """Connects to `address` (checked) instead of resolving the host again."""

    address: IPAddress
    host: str
    port: int
    timeout: float | None
    sock: socket.socket

    def _pinned_socket(self) -> socket.socket:
        sock = socket.create_connection((str(self.address), self.port), CONNECT_TIMEOUT)
        sock.settimeout(self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


class PinnedHTTP(_Pinned, http.client.HTTPConnection):
    def __init__(self, target: Target, address: IPAddress) -> None:
        http.client.HTTPConnection.__init__(self, target.host, target.port, timeout=READ_TIMEOUT)
        self.address = address

    def connect(self) -> None:
        self.sock = self._pinned_socket()


class PinnedHTTPS(_Pinned, http.client.HTTPSConnection):
    def __init__(self, target: Target, address: IPAddress) -> None:
        http.client.HTTPSConnection.__init__(
            self, target.host, target.port, timeout=READ_TIMEOUT, context=ssl.create_default_context()
        )
        self.address = address

    def connect(self) -> None:
        self.sock = self._context.wrap_socket(self._pinned_socket(), server_hostname=self.host)  # type: ignore[attr-defined]


class Sender:
    """Keeps one connection per (host, port, address) alive while an endpoint is drained."""

    def __init__(self) -> None:
        self._connection: http.client.HTTPConnection | None = None
        self._key: tuple[str, str, int, str] | None = None

    def post(self, *, target: Target, address: IPAddress, body: bytes, headers: dict[str, str]) -> Answer:
        started = time.monotonic()
        key = (target.scheme, target.host, target.port, str(address))
        reused = self._connection is not None and self._key == key
        answer = self._post(key, target=target, address=address, body=body, headers=headers, started=started)
        if reused and answer.error in STALE:  # the receiver closed the idle kept-alive connection: once more
            answer = self._post(key, target=target, address=address, body=body, headers=headers, started=started)
        return answer

    def _post(
        self,
        key: tuple[str, str, int, str],
        *,
        target: Target,
        address: IPAddress,
        body: bytes,
        headers: dict[str, str],
        started: float,
    ) -> Answer:
        if self._connection is None or self._key != key:
            self.close()
            self._connection = (PinnedHTTPS if target.scheme == "https" else PinnedHTTP)(target, address)
            self._key = key
        connection = self._connection
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            excerpt = response.read(RESPONSE_LIMIT)
            if not response.isclosed():  # more than we read: do not keep a half-read connection
                self.close()
            status, error = response.status, ""
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            status, excerpt, error = None, b"", _describe(exc)
        return Answer(
            status=status,
            excerpt=excerpt.decode("utf-8", "replace")[:500],
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
        )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection, self._key = None, None


STALE = ("RemoteDisconnected", "ConnectionResetError", "BrokenPipeError")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ssl.SSLError):
        return "TLS error"
    return type(exc).__name__
