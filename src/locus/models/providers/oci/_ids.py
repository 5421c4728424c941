"""The request ids OCI clients send: ``opc-request-id`` and ``opc-retry-token``."""

from __future__ import annotations

import random

from locus.core._entropy import random_bytes

__all__ = ["new_request_id", "new_retry_token"]


def new_request_id() -> str:
    """A fresh ``opc-request-id``: 32 upper-case hex digits, new on every attempt.

    It only correlates a request with the service's logs (it is printed in errors), so
    it comes from ``random`` (reseeded in a forked child), not from the OS's entropy
    source, which costs a system call per draw. The retry token, which makes a retried
    call idempotent, keeps the OS's entropy (``locus.core._entropy``).
    """
    return f"{random.getrandbits(128):032X}"


_TOKEN_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TOKEN_TABLE = bytes(_TOKEN_ALPHABET[byte % 32] for byte in range(256))


def new_retry_token() -> str:
    """An ``opc-retry-token``: 30 letters and digits, the same on every attempt of a call."""
    # each random byte picks one of 32 characters (256 is a multiple of 32: unbiased),
    # 5 bits each, 150 bits in all; bytes.translate does it in C
    return random_bytes(30).translate(_TOKEN_TABLE).decode("ascii")
