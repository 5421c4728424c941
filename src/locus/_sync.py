"""Run a coroutine to completion from synchronous code, from any thread.

All sync calls (``Agent.run_sync``, ``complete_sync``) share one event loop that
lives in a background daemon thread, so that objects bound to a loop (a model's
pooled HTTP client) keep working across calls and across calling threads.

The calling thread may have an event loop of its own running (a Jupyter cell): the
call blocks that thread while the shared loop does the work, as a sync call does.
Only a call made *on* the shared loop's thread is refused (it would wait for itself).

The loop survives anything the work raises: a ``KeyboardInterrupt`` or
``SystemExit`` (from a tool, say) that escapes a task is handed to the waiting
caller, and the loop thread carries on serving every other call.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from locus.core.errors import ConfigurationError

__all__ = ["run_sync"]

T = TypeVar("T")

logger = logging.getLogger("locus")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


def run_sync(factory: Callable[[], Coroutine[Any, Any, T]], *, name: str, instead: str) -> T:
    """Run ``factory()`` on the shared loop and wait for it.

    ``name`` and ``instead`` only shape the error message, e.g. ``"run_sync"`` and
    ``"await agent.arun(...)"``.
    """
    loop = _shared_loop()
    if threading.current_thread() is _thread:
        raise ConfigurationError(
            f"{name}() was called on Locus's own sync loop (from an async tool or an inline "
            f"sync tool of another sync run), where it would wait for itself; use "
            f"'{instead}' there"
        )
    future = asyncio.run_coroutine_threadsafe(factory(), loop)
    try:
        return future.result()
    except BaseException:
        future.cancel()
        raise


def _shared_loop() -> asyncio.AbstractEventLoop:
    global _loop, _thread
    with _lock:
        if _loop is None or _loop.is_closed() or _thread is None or not _thread.is_alive():
            _loop = asyncio.new_event_loop()
            _thread = threading.Thread(
                target=_serve, args=(_loop,), name="locus-sync-loop", daemon=True
            )
            _thread.start()
            atexit.register(_shutdown, _loop, _thread)
        return _loop


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    """Run ``loop`` until it is stopped, whatever a task lets escape.

    asyncio re-raises ``KeyboardInterrupt`` and ``SystemExit`` out of ``run_forever``
    after storing them on the task that raised them, so its waiter still gets them;
    the loop is simply entered again.
    """
    asyncio.set_event_loop(loop)
    while True:
        try:
            loop.run_forever()
        except BaseException as exc:  # the loop must outlive any task
            logger.warning(
                "a task on the sync loop raised %s; the loop carries on", type(exc).__name__
            )
            continue
        return


def _shutdown(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    """At exit: finalise the loop's async generators (shared connection pools close
    through them, as under ``asyncio.run``), then stop the loop."""
    if loop.is_closed():
        return
    if thread.is_alive():
        finalising = asyncio.run_coroutine_threadsafe(loop.shutdown_asyncgens(), loop)
        with contextlib.suppress(Exception):
            finalising.result(timeout=5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    if not thread.is_alive():
        loop.close()
