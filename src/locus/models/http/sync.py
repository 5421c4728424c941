"""Run a coroutine from synchronous code, in any thread that has no running loop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from locus.core.errors import ConfigurationError

__all__ = ["run_sync"]

T = TypeVar("T")


def run_sync(coroutine: Coroutine[Any, Any, T], *, name: str, async_name: str) -> T:
    """``asyncio.run`` the coroutine; inside a running loop, a clear error instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    coroutine.close()
    raise ConfigurationError(
        f"{name}() cannot be called from inside a running event loop; "
        f"use `await {async_name}(...)` there (or call {name}() from another thread)"
    )
