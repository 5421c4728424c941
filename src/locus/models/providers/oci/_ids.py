"""The request ids OCI clients send: ``opc-request-id`` and ``opc-retry-token``."""

from __future__ import annotations

import os
import random
import threading

__all__ = ["new_request_id", "new_retry_token"]


def new_request_id() -> str:
    """A fresh ``opc-request-id``: 32 upper-case hex digits, new on every attempt.

    It only correlates a request with the service's logs (it is printed in errors), so
    it comes from ``random`` (reseeded in a forked child), not from the OS's entropy
    source, which costs a system call per draw. The retry token, which makes a retried
    call idempotent, keeps the OS's entropy (``_Entropy``).
    """
    return f"{random.getrandbits(128):032X}"


class _Entropy:
    """``os.urandom`` read 4 KiB at a time: one system call (which also lets another thread
    take the GIL) per 170 tokens instead of one per token. A forked child drops what its
    parent had read, so the two never hand out the same bytes."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._buffer = b""
        self._used = 0
        os.register_at_fork(after_in_child=self._forget)

    def take(self, count: int) -> bytes:
        with self._lock:
            if self._used + count > len(self._buffer):
                self._buffer, self._used = os.urandom(self._size), 0
            start, self._used = self._used, self._used + count
            return self._buffer[start : self._used]

    def _forget(self) -> None:
        self._lock = threading.Lock()
        self._buffer, self._used = b"", 0


_entropy = _Entropy()


_TOKEN_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TOKEN_TABLE = bytes(_TOKEN_ALPHABET[byte % 32] for byte in range(256))


def new_retry_token() -> str:
    """An ``opc-retry-token``: 30 letters and digits, the same on every attempt of a call."""
    # each random byte picks one of 32 characters (256 is a multiple of 32: unbiased),
    # 5 bits each, 150 bits in all; bytes.translate does it in C
    return _entropy.take(30).translate(_TOKEN_TABLE).decode("ascii")
