"""Clients that connect from chosen loopback addresses, as proxies and their clients do.

Linux routes all of 127.0.0.0/8 to the loopback interface, so a test can play a load
balancer at 127.0.0.2 and an untrusted peer at 127.0.0.9 against one server: the server
sees each connection's source address as its peer.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx

__all__ = ["HeldRequest", "from_peer"]


def from_peer(peer: str, token: str | None = None) -> httpx.Client:
    """An httpx client whose connections come from ``peer`` (a loopback address)."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    transport = httpx.HTTPTransport(local_address=peer)
    return httpx.Client(transport=transport, headers=headers, timeout=30)


class HeldRequest:
    """A request from ``peer`` whose body never comes, so the server's guard counts it
    in flight (for its client) until ``close()``.

    It asks ``Expect: 100-continue``: uvicorn answers ``100 Continue`` when the app first
    reads the body, which the guard does after counting the request, so once that line
    is read the count is certain (no waiting on time)."""

    def __init__(self, url: str, path: str, *, peer: str, forwarded_for: str, token: str) -> None:
        parts = urlsplit(url)
        assert parts.hostname is not None and parts.port is not None
        self.sock = socket.create_connection(
            (parts.hostname, parts.port), timeout=30, source_address=(peer, 0)
        )
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Authorization: Bearer {token}\r\nX-Forwarded-For: {forwarded_for}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100\r\n"
            "Expect: 100-continue\r\n\r\n"
        )
        self.sock.sendall(head.encode())
        answer = self.sock.recv(1024)
        if not answer.startswith(b"HTTP/1.1 100 "):
            self.sock.close()
            raise AssertionError(f"the request was not taken in: {answer!r}")

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> HeldRequest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
