"""BufferedSocket hands paho exactly the bytes the kernel delivered, in order, with its errors."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from ingest.mqtt_sockbuf import BufferedSocket, buffer_plain_socket


@pytest.fixture
def pair() -> Iterator[tuple[BufferedSocket, socket.socket]]:
    a, b = socket.socketpair()
    a.setblocking(False)
    yield BufferedSocket(a, chunk=16), b
    a.close()
    b.close()


def test_paho_style_reads_come_from_one_recv_in_order(
    pair: tuple[BufferedSocket, socket.socket],
) -> None:
    buf, peer = pair
    peer.sendall(b"\x30\x05hello\x30\x03abc")
    assert buf.recv(1) == b"\x30"
    assert buf.pending() == 11  # all 12 bytes came with the first read
    assert buf.recv(1) == b"\x05"
    assert buf.recv(5) == b"hello"
    assert buf.recv(1) == b"\x30"
    assert buf.recv(1) == b"\x03"
    assert buf.recv(3) == b"abc"
    assert buf.pending() == 0
    with pytest.raises(BlockingIOError):
        buf.recv(1)  # nothing buffered, nothing in the kernel: as the socket says


def test_a_read_across_the_buffer_end_joins_fresh_bytes_or_returns_short(
    pair: tuple[BufferedSocket, socket.socket],
) -> None:
    buf, peer = pair
    peer.sendall(bytes(range(20)))
    assert buf.recv(10) == bytes(range(10))  # chunk 16: 6 left buffered
    assert buf.recv(10) == bytes(range(10, 20))  # 6 buffered + 4 fresh
    peer.sendall(b"xy")
    assert buf.recv(1) == b"x"
    assert buf.recv(5) == b"y"  # short: the kernel has no more yet; paho asks again
    peer.sendall(b"zzzz")
    assert buf.recv(4) == b"zzzz"


def test_end_of_stream_hands_back_what_is_left_then_empty(
    pair: tuple[BufferedSocket, socket.socket],
) -> None:
    buf, peer = pair
    peer.sendall(b"abc")
    peer.close()
    assert buf.recv(1) == b"a"
    assert buf.recv(5) == b"bc"
    assert buf.recv(1) == b""  # paho: connection lost


def test_only_plain_sockets_are_wrapped() -> None:
    class _Client:
        def __init__(self, sock: object) -> None:
            self._sock = sock

        def socket(self) -> object:
            return self._sock

    a, b = socket.socketpair()
    try:
        plain = _Client(a)
        buffer_plain_socket(plain)
        assert isinstance(plain._sock, BufferedSocket)
        assert plain._sock.fileno() == a.fileno()
        other = _Client(object())  # TLS and WebSocket sockets keep their own reads
        before = other._sock
        buffer_plain_socket(other)
        assert other._sock is before
    finally:
        a.close()
        b.close()
