"""Thread ids (and lock timeouts) every store accepts alike, checked before use.

A thread id is a non-empty ``str`` of at most ``MAX_THREAD_ID_BYTES`` bytes in UTF-8,
without NUL characters or lone UTF-16 surrogates. PostgreSQL refuses NUL in ``text`` and
cannot index a key much over 2,700 bytes; neither database can store a lone surrogate
(it is not UTF-8); an empty id is almost always a missing value that would put every
caller's turns in one thread. The in-memory store applies the same rule, so code tested
on it does not fail later on a database. Such an id names no thread: ``load``,
``get_metadata`` and ``delete`` find nothing there (so an id taken from a request can be
looked up as is), while ``append``, ``set_metadata`` and ``lock`` refuse it.
"""

from __future__ import annotations

from typing import Any

from locus.core.errors import ConfigurationError

__all__ = [
    "MAX_THREAD_ID_BYTES",
    "check_thread_id",
    "check_timeout",
    "is_thread_id",
    "storable_prefix",
]

MAX_THREAD_ID_BYTES = 1024


def check_thread_id(thread_id: Any) -> str:
    """``thread_id`` when a store can keep it; ``ConfigurationError`` saying why not."""
    if not isinstance(thread_id, str):
        raise ConfigurationError(
            f"a thread id must be a str, got {type(thread_id).__name__}: pass str(your_id)"
        )
    if not thread_id:
        raise ConfigurationError(
            "a thread id must not be empty: pass the conversation's id (an empty id would "
            "put every caller's turns in one thread)"
        )
    problem = _bad_text(thread_id)
    if problem is None and len(thread_id.encode("utf-8")) > MAX_THREAD_ID_BYTES:
        problem = f"is longer than {MAX_THREAD_ID_BYTES} bytes in UTF-8"
    if problem is not None:
        shown = thread_id if len(thread_id) <= 80 else thread_id[:80] + "..."
        raise ConfigurationError(
            f"thread id {shown!r} {problem}: use a shorter id of printable text (for "
            "instance a hash or a UUID of what identifies the conversation)"
        )
    return thread_id


def is_thread_id(thread_id: Any) -> bool:
    """Whether a store can keep ``thread_id`` (reads of other ids find nothing); a
    non-``str`` is still a ``ConfigurationError``."""
    try:
        check_thread_id(thread_id)
    except ConfigurationError:
        if not isinstance(thread_id, str):
            raise
        return False
    return True


def storable_prefix(prefix: str) -> bool:
    """Whether any valid thread id can start with ``prefix`` (``list_threads``)."""
    return _bad_text(prefix) is None


def _bad_text(text: str) -> str | None:
    if "\x00" in text:
        return "holds a NUL character (PostgreSQL cannot store it)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone UTF-16 surrogate, which is not valid Unicode text"
    return None


def check_timeout(timeout: float | None) -> float | None:
    """A lock timeout in seconds as the stores use it: ``None`` (or infinity) waits for as
    long as it takes, zero or less tries once; NaN or a non-number is refused."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout != timeout:
        raise ConfigurationError(
            f"a lock timeout must be a number of seconds or None, got {timeout!r}"
        )
    return None if timeout == float("inf") else max(float(timeout), 0.0)
