"""``Step``: one state of a run (``_run``), an async generator of its events or, for a
step that has none, a coroutine (no generator to create, register and close)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Coroutine
from typing import Any

from locus.agent import _events as ev

__all__ = ["Step"]

Step = Callable[[], AsyncGenerator[ev.RunEvent, None] | Coroutine[Any, Any, None]]
