"""A read buffer under paho's socket: one ``recv`` per burst, not three per packet.

paho reads a packet as ``recv(1)`` (type), ``recv(1)`` per length byte, then
``recv(rest)``: three system calls and a ``BlockingIOError`` at the end of
each burst for a 60-byte single-reading PUBLISH (``_sock_recv`` was 9 % of the
ingest process at single-reading load). :class:`BufferedSocket` serves those
reads from one large ``recv``. It exposes ``pending()`` like an
``ssl.SSLSocket``, so :class:`~ingest.mqtt_loop.PausableLoop` reads buffered
bytes without waiting for ``select()``. Buffered bytes are only bytes the
kernel already delivered; a dropped connection drops them with it, and every
unacknowledged message comes again (at-least-once is unchanged).
"""

from __future__ import annotations

import socket
from typing import Any

__all__ = ["BufferedSocket", "buffer_plain_socket"]

_CHUNK = 65536


class BufferedSocket:
    """A non-blocking TCP socket whose ``recv`` is served from a read-ahead buffer."""

    def __init__(self, sock: socket.socket, chunk: int = _CHUNK) -> None:
        self._sock = sock
        self._chunk = chunk
        self._data = b""
        self._off = 0

    def recv(self, n: int) -> bytes:
        avail = len(self._data) - self._off
        if avail >= n:
            start = self._off
            self._off += n
            return self._data[start : self._off]
        rest = self._data[self._off :]
        try:
            fresh = self._sock.recv(max(self._chunk, n))
        except BlockingIOError:
            if rest:
                self._data, self._off = b"", 0
                return rest  # a short read: paho asks again for the remainder
            raise
        if not fresh:  # EOF: hand back what is left, then b"" (paho: connection lost)
            self._data, self._off = b"", 0
            return rest
        data = rest + fresh if rest else fresh
        take = min(n, len(data))
        self._data, self._off = data, take
        return data[:take]

    def pending(self) -> int:
        """Bytes already read from the kernel and not yet handed to paho."""
        return len(self._data) - self._off

    def fileno(self) -> int:
        return self._sock.fileno()

    def send(self, data: bytes | bytearray) -> int:
        return self._sock.send(data)

    def close(self) -> None:
        self._data, self._off = b"", 0
        self._sock.close()

    def __getattr__(self, name: str) -> Any:  # setblocking, getpeername, ... as the socket
        return getattr(self._sock, name)


def buffer_plain_socket(client: Any) -> None:
    """Put a :class:`BufferedSocket` under ``client`` (a connected paho client).

    Only a plain TCP socket: TLS sockets buffer already, and paho's WebSocket
    wrapper frames its own reads.
    """
    sock = client.socket()
    if type(sock) is socket.socket:
        client._sock = BufferedSocket(sock)
