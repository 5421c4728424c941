"""What the server holds while it runs: counters, the runs in flight, paused runs.

The counters are the server's own account of what it has open, so a test (or a
metrics scrape) can check that a client that went away left nothing behind.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PausedRun", "ServeState"]


@dataclass(slots=True, frozen=True)
class PausedRun:
    """A run that stopped for approval (``_paused``): which agent, the thread its state
    lives on (``None``: held in this process's memory), the ``RunState``, and whether the
    thread is one the server made for a thread-less completion."""

    agent: str
    thread_id: str | None
    state: Any  # a RunState
    own_thread: bool = False
    parked_at: float = 0.0
    """When a run held in memory was paused (``time.time()``), for ``paused_ttl``."""


@dataclass(slots=True)
class ServeState:
    """Counters of one app (``app.state.served.state``), and the paused runs it holds in
    memory (only those of agents whose store keeps no metadata: ``_paused``)."""

    active_runs: int = 0
    active_streams: int = 0
    runs_started: int = 0
    runs_cancelled: int = 0
    draining: bool = False
    paused: dict[str, PausedRun] = field(default_factory=dict)
    last_sweep: float = 0.0
    """When this app last swept expired parked runs (``_expiry``)."""
    _idle: asyncio.Event | None = None

    def run(self) -> _RunCount:
        """Count one agent run for as long as the ``with`` block lasts (a cancelled run
        counts in ``runs_cancelled`` too)."""
        return _RunCount(self)

    def stream(self) -> _StreamCount:
        """Count one open response stream for as long as the ``with`` block lasts."""
        return _StreamCount(self)

    def snapshot(self) -> dict[str, int | bool]:
        """The counters as a JSON-ready dict."""
        return {
            "active_runs": self.active_runs,
            "active_streams": self.active_streams,
            "runs_started": self.runs_started,
            "runs_cancelled": self.runs_cancelled,
            "paused_runs": len(self.paused),
            "draining": self.draining,
        }

    async def wait_idle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for every run and stream to end; ``False`` if some did not."""
        if self._busy():
            self._idle = asyncio.Event()
            try:
                async with asyncio.timeout(timeout):
                    await self._idle.wait()
            except TimeoutError:
                return False
            finally:
                self._idle = None
        return True

    def _busy(self) -> bool:
        return self.active_runs > 0 or self.active_streams > 0

    def _maybe_idle(self) -> None:
        if self._idle is not None and not self._busy():
            self._idle.set()


class _RunCount:
    """``ServeState.run()``: a plain context manager (a generator-based one costs more,
    and every request enters one)."""

    __slots__ = ("state",)

    def __init__(self, state: ServeState) -> None:
        self.state = state

    def __enter__(self) -> None:
        self.state.active_runs += 1
        self.state.runs_started += 1

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        state = self.state
        if kind is not None and issubclass(kind, asyncio.CancelledError):
            state.runs_cancelled += 1
        state.active_runs -= 1
        state._maybe_idle()


class _StreamCount:
    """``ServeState.stream()``, as ``_RunCount``."""

    __slots__ = ("state",)

    def __init__(self, state: ServeState) -> None:
        self.state = state

    def __enter__(self) -> None:
        self.state.active_streams += 1

    def __exit__(self, *_: object) -> None:
        self.state.active_streams -= 1
        self.state._maybe_idle()
