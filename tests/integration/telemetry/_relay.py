"""A TCP relay on loopback that keeps the bytes clients send through it, so a test can read
the HTTP request headers that really reached the server (the emulator's journal keeps
only method, path and request id). It forwards bytes unchanged, the signed ``host``
header included."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from dataclasses import dataclass

_REQUEST = re.compile(rb"(POST|GET|PUT|DELETE) (\S+) HTTP/1\.1\r\n((?:[^\r\n]+\r\n)*)\r\n")


@dataclass(frozen=True, slots=True)
class SentRequest:
    """One request as its bytes crossed the relay: method, path and headers (lower-cased
    names)."""

    method: str
    path: str
    headers: dict[str, str]


class Relay:
    """Listens on 127.0.0.1 and relays each connection to ``upstream`` (host, port)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._sent: list[bytearray] = []
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def requests(self) -> list[SentRequest]:
        """Every request sent through the relay so far, in order per connection."""
        with self._lock:
            sent = [bytes(b) for b in self._sent]
        found = []
        for data in sent:
            for match in _REQUEST.finditer(data):
                lines = match.group(3).decode("latin-1").split("\r\n")
                pairs = (line.split(":", 1) for line in lines if line)
                headers = {name.strip().lower(): value.strip() for name, value in pairs}
                found.append(SentRequest(match.group(1).decode(), match.group(2).decode(), headers))
        return found

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)  # wakes a pipe blocked in recv
                sock.close()
        for thread in self._threads:
            thread.join(timeout=10)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed
                return
            server = socket.create_connection(self._upstream)
            kept = bytearray()
            with self._lock:
                self._sent.append(kept)
                self._sockets += [client, server]
            for source, target, keep in ((client, server, kept), (server, client, None)):
                args = (source, target, keep)
                thread = threading.Thread(target=self._pipe, args=args, daemon=True)
                self._threads.append(thread)
                thread.start()

    def _pipe(self, source: socket.socket, target: socket.socket, keep: bytearray | None) -> None:
        """Copy bytes until either side closes."""
        try:
            while chunk := source.recv(65536):
                if keep is not None:
                    with self._lock:
                        keep += chunk
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
