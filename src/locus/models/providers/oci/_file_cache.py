"""A small process-wide LRU for what is parsed from credential files.

A web handler may build a model per request; parsing the same PEM key (an RSA key
check of tens of milliseconds) and the same config profile each time is waste. Entries
are keyed by a digest of the file's bytes (the file is still read on every load, a few
microseconds), so a file rewritten on disk, even within one tick of the clock, is
parsed again. A pass phrase only enters a key as a salted digest: no cache entry, key
or repr holds it in a printable form.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["LRUCache", "content_digest", "secret_digest"]

V = TypeVar("V")

_SALT = os.urandom(16)
"""Per process: a pass phrase's digest in a cache key cannot be looked up in a table."""


def content_digest(data: bytes) -> bytes:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(data).digest()


def secret_digest(secret: str | None) -> bytes | None:
    """A salted digest of a pass phrase (``None`` stays ``None``)."""
    if secret is None:
        return None
    return hashlib.sha256(_SALT + secret.encode()).digest()


class LRUCache(Generic[V]):
    """A thread-safe mapping of at most ``size`` entries, least recently used out first."""

    __slots__ = ("_entries", "_lock", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LRUCache(size={self.size}, entries={len(self)})"

    def __len__(self) -> int:
        return len(self._entries)

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The entry of ``key``, made (outside the lock) and kept when there is none.

        ``make`` may raise: nothing is kept then.
        """
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = make()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
