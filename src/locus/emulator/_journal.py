"""The requests an emulator received, in order, so a test can say which calls were made
(for example: a guardrail blocked the prompt, and no chat call followed)."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

__all__ = ["Journal", "Logged"]

_KEEP = 10_000


@dataclass(frozen=True, slots=True)
class Logged:
    """One request as it arrived: method, path and its ``opc-request-id``."""

    method: str
    path: str
    request_id: str

    @property
    def operation(self) -> str:
        """The last segment of the path: ``chat``, ``applyGuardrails``, ``completions``..."""
        return self.path.rstrip("/").rsplit("/", 1)[-1]


class Journal:
    """The last requests (up to 10,000), written by the server thread, read by any."""

    def __init__(self) -> None:
        self._entries: deque[Logged] = deque(maxlen=_KEEP)
        self._lock = threading.Lock()

    def record(self, method: str, path: str, request_id: str) -> None:
        """Note one request."""
        with self._lock:
            self._entries.append(Logged(method, path, request_id))

    def entries(self) -> list[Logged]:
        """The requests noted so far, oldest first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        """Forget every request."""
        with self._lock:
            self._entries.clear()
