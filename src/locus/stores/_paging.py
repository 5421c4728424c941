"""Paging through a store's threads: the checks and the cursor every store shares.

Threads are ordered by their change number (a store-wide counter bumped by every
``append`` and ``set_metadata``), ties broken by id. A page continues strictly after the
position (change number, id) of the previous page's last thread, which the cursor holds,
so a thread that changes, or is deleted, after it was listed does not move the pager:

- newest first, every later change sorts before the position already passed;
- oldest first, the cursor also holds the highest change number when the first page was
  taken, and the later pages stop there.

Hence: no id is listed twice; every thread neither changed nor deleted between the first
page and the last is listed exactly once; a thread changed or created after the first
page is not listed by the later pages (a new listing shows it); paging ends after at most
as many pages as the threads of the first page's moment fill, whatever the writers do.

One exception, on PostgreSQL only: its change numbers come from a sequence, in the
order writes begin rather than the order they commit, so a write still in flight while
a page is read lands behind the cursor when it commits: that one thread may then be
listed once more (its new position) or, not listed yet, be missed. Threads no one writes
meanwhile are unaffected. (SQLite numbers changes under its write lock; memory in order.)

The cursor is opaque text (base64url of a small JSON array): its version, its order, the
prefix's digest (a cursor continues only the listing that made it), the oldest-first
bound and the position.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from locus.core.errors import ConfigurationError
from locus.stores._ids import is_thread_id, storable_prefix

__all__ = [
    "MAX_LIMIT",
    "PageQuery",
    "check_list_limit",
    "check_prefix",
    "finish",
    "first_page",
    "page_query",
]

MAX_LIMIT = 2**62
"""Larger limits are taken as this one (every thread; a database counts in 64 bits)."""
_MAX_COUNTER = 2**63 - 1
_VERSION = 1
_MAX_CURSOR = 12_000
"""Longer text is no cursor: the longest is about 8,400 characters (an id of 1,024 bytes
that JSON escapes to six characters each, in base64)."""


@dataclass(frozen=True)
class PageQuery:
    """One page to read: ``after`` and ``until`` are change numbers (see the module)."""

    limit: int
    prefix: str | None
    oldest_first: bool
    after: tuple[int, str] | None
    until: int | None
    impossible: bool
    """The prefix is one no thread id can start with: the page is empty."""


def _integer(value: Any) -> int | None:
    """``value`` as an int when it is an integer (``numpy.int64`` too), not a bool."""
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def check_list_limit(limit: Any) -> int:
    """``list_threads``' limit: a non-negative int (0 lists nothing), huge ones capped."""
    number = _integer(limit)
    if number is None or number < 0:
        raise ConfigurationError(
            f"list_threads' limit must be an int of 0 or more, got {limit!r}: pass how many "
            "thread ids you want (page_threads pages through more)"
        )
    return min(number, MAX_LIMIT)


async def first_page(store: Any, limit: Any, prefix: Any) -> list[str]:
    """``list_threads`` of a store that pages: its first page (``limit`` 0: none)."""
    number = check_list_limit(limit)
    if number == 0:
        check_prefix(prefix)
        return []
    ids: list[str] = (await store.page_threads(limit=number, prefix=prefix))[0]
    return ids


def page_query(limit: Any, prefix: Any, cursor: Any, oldest_first: Any) -> PageQuery:
    """The checked arguments of ``page_threads`` (``ConfigurationError`` saying what to fix)."""
    number = _integer(limit)
    if number is None or number < 1:
        raise ConfigurationError(
            f"page_threads' limit must be an int of 1 or more, got {limit!r}: pass how many "
            "thread ids one page may hold"
        )
    impossible = check_prefix(prefix)
    if not isinstance(oldest_first, bool):
        raise ConfigurationError(f"oldest_first must be True or False, got {oldest_first!r}")
    after, until = None, None
    if cursor is not None:
        after, until = _decode(cursor, prefix, oldest_first)
    return PageQuery(min(number, MAX_LIMIT), prefix, oldest_first, after, until, impossible)


def check_prefix(prefix: Any) -> bool:
    """Whether ``prefix`` is one no id can have (an empty listing); a non-str is refused."""
    if prefix is not None and not isinstance(prefix, str):
        raise ConfigurationError(
            f"a thread id prefix must be a str or None, got {type(prefix).__name__}"
        )
    return prefix is not None and not storable_prefix(prefix)


def finish(
    query: PageQuery, rows: Sequence[tuple[int, str]], until: int | None
) -> tuple[list[str], str | None]:
    """The page from up to ``limit + 1`` rows (change number, id) in page order, and the
    cursor to the next one (``None``: no thread was left after it). ``until`` is the
    oldest-first bound (taken by the store for a first page)."""
    page = list(rows[: query.limit])
    if len(rows) <= query.limit:
        return [tid for _, tid in page], None
    changed, last = page[-1]
    body = [
        _VERSION,
        "old" if query.oldest_first else "new",
        _digest(query.prefix),
        until if query.oldest_first else None,
        changed,
        last,
    ]
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    cursor = base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")
    return [tid for _, tid in page], cursor


def _digest(prefix: str | None) -> str:
    if not prefix:  # (an empty prefix lists every thread, as none does)
        return ""
    return hashlib.sha256(prefix.encode("utf-8")).hexdigest()[:16]


def _decode(
    cursor: Any, prefix: str | None, oldest_first: bool
) -> tuple[tuple[int, str], int | None]:
    fields = _fields(cursor)
    _, order, digest, until, changed, last = fields
    if order != ("old" if oldest_first else "new"):
        mine = "oldest first" if order == "old" else "newest first"
        raise ConfigurationError(
            f"this cursor continues a listing {mine}: pass oldest_first={order == 'old'} "
            "with it (a listing keeps the order it began with)"
        )
    if digest != _digest(prefix):
        raise ConfigurationError(
            "this cursor continues a listing of another prefix: pass the prefix the first "
            "page was asked with (a listing keeps the prefix it began with)"
        )
    return (changed, last), until


def _fields(cursor: Any) -> list[Any]:
    bad = ConfigurationError(
        "the cursor is not one page_threads returned (or was cut or changed on the way): "
        "pass the next cursor of the previous page as is, or start again without a cursor"
    )
    if not isinstance(cursor, str) or not cursor or len(cursor) > _MAX_CURSOR:
        raise bad
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        fields = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
    except (ValueError, UnicodeError, binascii.Error):
        raise bad from None
    if not isinstance(fields, list) or len(fields) != 6 or fields[0] != _VERSION:
        raise bad
    _, order, digest, until, changed, last = fields
    if (
        order not in ("old", "new")
        or not isinstance(digest, str)
        or not _counter(changed)
        or not (until is None if order == "new" else _counter(until))
        or not isinstance(last, str)
        or not is_thread_id(last)
    ):
        raise bad
    return fields


def _counter(value: Any) -> bool:
    return type(value) is int and 0 <= value <= _MAX_COUNTER
