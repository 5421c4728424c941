"""``random_bytes``: the OS's entropy, read 4 KiB at a time.

Run ids, tool-call ids and retry tokens are drawn many times per run. ``os.urandom`` is
one system call per draw, and the call lets go of the GIL: with the signing threads
waiting for it (``models.providers.oci._signing_threads``), the event loop then waits up
to the interpreter's switch interval to get it back. Measured in ``locus serve`` at 500
chats at once, that one call per run cost about 90 µs of the loop's time. Reading ahead
keeps the bytes the OS's (ids that must not be guessed stay unguessable) at one system
call per 4 KiB. A forked child drops what its parent had read, so the two never hand out
the same bytes.
"""

from __future__ import annotations

import os
import threading

__all__ = ["random_bytes"]


class _Entropy:
    """``os.urandom`` read ``size`` bytes at a time, handed out once each."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._buffer = b""
        self._used = 0
        os.register_at_fork(after_in_child=self._forget)

    def take(self, count: int) -> bytes:
        if count > self._size:
            return os.urandom(count)
        with self._lock:
            if self._used + count > len(self._buffer):
                self._buffer, self._used = os.urandom(self._size), 0
            start, self._used = self._used, self._used + count
            return self._buffer[start : self._used]

    def _forget(self) -> None:
        self._lock = threading.Lock()
        self._buffer, self._used = b"", 0


_entropy = _Entropy()

random_bytes = _entropy.take
"""``random_bytes(n)``: ``n`` bytes from the OS's entropy source (see the module)."""
