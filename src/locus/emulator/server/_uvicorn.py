"""Serve an emulator with uvicorn: bind a socket, run, reset connections on demand, stop."""

from __future__ import annotations

import contextlib
import signal
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn
from starlette.types import Scope

from locus.emulator.routes import Service
from locus.emulator.server._app import build_app

__all__ = ["EmulatorServer", "bind", "url_of"]


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # so asyncio sets NODELAY
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    """The ``http://`` base URL of a bound socket (IPv6 addresses in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"


class EmulatorServer(uvicorn.Server):
    """A uvicorn server for one :class:`Service` that can reset a client's connection.

    In the main thread it stops cleanly on SIGINT/SIGTERM (without re-raising them);
    ``on_started`` runs once the socket is being served.
    """

    def __init__(
        self,
        service: Service,
        log_level: str = "warning",
        on_started: Callable[[], None] | None = None,
        configure_logging: bool = False,
    ) -> None:
        service.abort = self.abort_connection
        config = uvicorn.Config(
            build_app(service),
            log_level=log_level,
            log_config=uvicorn.config.LOGGING_CONFIG if configure_logging else None,
            access_log=False,
            proxy_headers=False,
            lifespan="on",
            ws="none",
            timeout_graceful_shutdown=2,
            timeout_keep_alive=30,
        )
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start serving, then tell whoever waits that the server is listening."""
        await super().startup(sockets=sockets)
        if self.started and self._on_started is not None:
            self._on_started()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Turn SIGINT/SIGTERM into a clean shutdown (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self._request_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _request_exit(self, sig: int, frame: Any) -> None:
        self.should_exit = True

    def abort_connection(self, scope: Scope) -> bool:
        """Reset (TCP RST) the connection that carries the request ``scope``."""
        client = tuple(scope.get("client") or ())
        for connection in list(self.server_state.connections):
            if tuple(getattr(connection, "client", None) or ()) != client:
                continue
            transport = connection.transport
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
            return True
        return False
