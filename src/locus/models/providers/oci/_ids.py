"""The request ids OCI clients send: ``opc-request-id`` and ``opc-retry-token``."""

from __future__ import annotations

import random
import secrets
import string

__all__ = ["new_request_id", "new_retry_token"]

_ALNUM = string.ascii_letters + string.digits


def new_request_id() -> str:
    """A fresh ``opc-request-id``: 32 upper-case hex digits, new on every attempt.

    It only correlates a request with the service's logs (it is printed in errors), so
    it comes from ``random`` (reseeded in a forked child), not from the OS's entropy
    source, which costs a system call per draw. The retry token, which makes a retried
    call idempotent, keeps ``secrets``.
    """
    return f"{random.getrandbits(128):032X}"


def new_retry_token() -> str:
    """An ``opc-retry-token``: 30 letters and digits, the same on every attempt of a call."""
    number = secrets.randbits(180)  # 62**30 < 2**179: one draw covers all 30 characters
    chars = []
    for _ in range(30):
        number, index = divmod(number, 62)
        chars.append(_ALNUM[index])
    return "".join(chars)
