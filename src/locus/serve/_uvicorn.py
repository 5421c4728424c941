"""Running an app with uvicorn: draining on a stop, the address it listens on, and the
garbage collector's settings for a process that only serves."""

from __future__ import annotations

import contextlib
import gc
import math
import signal
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn
from starlette.applications import Starlette

__all__ = ["GC_THRESHOLDS", "ServeServer", "config", "serve", "tune_gc"]

GC_THRESHOLDS = (20_000, 10, 10)
"""The collector's thresholds in a ``locus serve`` process (Python's default: 700, 10, 10)."""


def tune_gc() -> None:
    """Set the collector up for serving many runs at once (``locus serve`` only; an app
    mounted elsewhere leaves its process's collector alone).

    The objects loaded so far (modules, the agents) are frozen out of every later
    collection, and the youngest generation is collected after 20,000 allocations
    instead of 700. A run in flight holds its objects for its model's whole latency, so
    with the default settings hundreds of runs' live objects were walked again and
    again, and promoted into full collections that also walked every module: a sixth
    of the server's CPU per streamed chat. The older generations keep their default
    ratios, so garbage in cycles is still reclaimed (later, not never).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class ServeServer(uvicorn.Server):
    """uvicorn's server, telling the app it is draining as soon as a stop is asked for
    (``/readyz`` answers 503 and new runs are refused while running streams finish)."""

    def __init__(self, config: uvicorn.Config, app: Starlette) -> None:
        super().__init__(config)
        self.served_state = app.state.served.state

    def handle_exit(self, sig: int, frame: Any) -> None:
        self.served_state.draining = True
        super().handle_exit(sig, frame)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """SIGINT/SIGTERM start a graceful stop and the process exits 0 after it (uvicorn
        would raise the signal again at the end, exiting by the signal)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        for server in getattr(self, "servers", ()):
            for sock in server.sockets:
                host, port = sock.getsockname()[:2]
                print(f"locus serve listening on http://{host}:{port}", flush=True)


def config(
    app: Any,
    host: str,
    port: int,
    *,
    log_level: str,
    shutdown_timeout: float,
    forwarded_allow_ips: list[str] | None = None,
) -> Any:
    """The uvicorn settings of ``locus serve`` (``app``: an app, or a factory's import path).
    ``forwarded_allow_ips``: the peers trusted to name the client (``_proxies``; ``None``:
    uvicorn's default)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        forwarded_allow_ips=forwarded_allow_ips,
        log_level=log_level,
        access_log=log_level.lower() in ("trace", "debug", "info"),
        lifespan="on",
        ws="none",
        backlog=4096,
        timeout_graceful_shutdown=math.ceil(shutdown_timeout),
    )


def serve(
    app: Starlette,
    host: str,
    port: int,
    *,
    log_level: str = "info",
    shutdown_timeout: float,
    forwarded_allow_ips: list[str] | None = None,
) -> None:
    """Serve ``app`` until SIGINT/SIGTERM; running streams get ``shutdown_timeout`` s."""
    settings = config(
        app,
        host,
        port,
        log_level=log_level,
        shutdown_timeout=shutdown_timeout,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    tune_gc()
    ServeServer(settings, app).run()
