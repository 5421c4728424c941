"""Run a coroutine to completion from synchronous code, from any thread.

All sync calls share one event loop that lives in a background daemon thread, so
that objects bound to a loop (a model's pooled HTTP client) keep working across
calls and across calling threads. Calling from inside a running event loop is an
error: blocking there would freeze that loop.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from locus.core.errors import ConfigurationError

__all__ = ["run_sync"]

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def run_sync(factory: Callable[[], Coroutine[Any, Any, T]], *, name: str, instead: str) -> T:
    """Run ``factory()`` on the shared loop and wait for it.

    ``name`` and ``instead`` only shape the error message, e.g. ``"run_sync"`` and
    ``"await agent.arun(...)"``.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise ConfigurationError(
            f"{name}() cannot be called from inside a running event loop (it would block "
            f"it); use '{instead}' there, or call {name}() via asyncio.to_thread(...)"
        )
    future = asyncio.run_coroutine_threadsafe(factory(), _shared_loop())
    try:
        return future.result()
    except BaseException:
        future.cancel()
        raise


def _shared_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            _loop = asyncio.new_event_loop()
            thread = threading.Thread(target=_loop.run_forever, name="locus-sync-loop", daemon=True)
            thread.start()
            atexit.register(_shutdown, _loop, thread)
        return _loop


def _shutdown(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    if not thread.is_alive():
        loop.close()
