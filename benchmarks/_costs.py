"""Where a wave's time goes in this process: the event loop's CPU and the collector's.

``WaveCosts`` is a context manager around one wave: ``loop_cpu_s`` is the CPU time of the
thread that entered it (the event loop's; the signing and tool threads are not counted),
``gc_s`` the wall time spent in garbage collections of any thread meanwhile (timed with
``gc.callbacks``), and ``collections`` how many collections of each generation ran.
Figures to read beside an efficiency, never to assert on.
"""

from __future__ import annotations

import gc
import time
from types import TracebackType
from typing import Any

__all__ = ["WaveCosts"]


class WaveCosts:
    """The loop's CPU seconds and the collector's seconds and runs during a ``with`` block."""

    def __init__(self) -> None:
        self.loop_cpu_s = 0.0
        self.gc_s = 0.0
        self.collections = [0, 0, 0]
        self._started: float | None = None
        self._cpu_start = 0.0

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.gc_s += time.perf_counter() - self._started
            self.collections[int(info["generation"])] += 1
            self._started = None

    def __enter__(self) -> WaveCosts:
        gc.callbacks.append(self._on_gc)
        self._cpu_start = time.thread_time()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.loop_cpu_s = time.thread_time() - self._cpu_start
        gc.callbacks.remove(self._on_gc)
