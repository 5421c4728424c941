"""``new_id``: the ids of runs and paused states, without importing ``uuid``."""

from __future__ import annotations

from locus.core._entropy import random_bytes

__all__ = ["new_id"]


def new_id() -> str:
    """A random version-4 UUID as 32 hex digits, like ``uuid.uuid4().hex`` without the
    ``UUID`` object (and without importing ``uuid``, which imports ``platform``), and
    without a system call per id (``locus.core._entropy``)."""
    raw = bytearray(random_bytes(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    return raw.hex()
