"""Paging through a store's threads (``page_threads``): one contract for every store.

Run on memory and SQLite here (``conftest.py``) and on PostgreSQL by
``tests/integration/stores/test_postgres_paging_contract.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from locus.core.errors import ConfigurationError
from locus.core.messages import Message

HI = [Message.user("hi")]


async def _fill(store: Any, ids: list[str]) -> None:
    for tid in ids:
        await store.append(tid, HI)


async def _all_pages(store: Any, limit: int, **options: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        ids, cursor = await store.page_threads(limit=limit, cursor=cursor, **options)
        pages.append(ids)
        if cursor is None:
            return pages
        assert len(pages) < 1000, "the pager does not end"


def _flat(pages: list[list[str]]) -> list[str]:
    return [tid for page in pages for tid in page]


async def test_pages_cover_every_thread_once_in_both_orders(store: Any) -> None:
    ids = [f"t{i:02}" for i in range(25)]
    await _fill(store, ids)
    newest = await _all_pages(store, 10)
    assert [len(p) for p in newest] == [10, 10, 5]
    assert _flat(newest) == ids[::-1] == await store.list_threads(limit=1000)
    oldest = await _all_pages(store, 10, oldest_first=True)
    assert _flat(oldest) == ids
    assert await _all_pages(store, 25) == [ids[::-1]]  # a full last page says it is the end
    assert await _all_pages(store, 1000, oldest_first=True) == [ids]


async def test_an_empty_store_is_one_empty_page(store: Any) -> None:
    assert await store.page_threads() == ([], None)
    assert await store.page_threads(oldest_first=True, prefix="x") == ([], None)


async def test_a_prefix_pages_only_its_threads_whatever_their_characters(store: Any) -> None:
    odd = ["a%b/1", "a%b/2", "a_b/1", "a%b\\/3", "a%b'; --/4", "a%b/🧵5", "a%c/6", "A%b/7"]
    await _fill(store, odd)
    want = ["a%b/1", "a%b/2", "a%b\\/3", "a%b'; --/4", "a%b/🧵5"]
    for prefix, expected in [("a%b", want), ("a_", ["a_b/1"]), ("a%b/🧵", ["a%b/🧵5"])]:
        assert _flat(await _all_pages(store, 2, prefix=prefix, oldest_first=True)) == expected
        assert _flat(await _all_pages(store, 2, prefix=prefix)) == expected[::-1]
    assert await store.page_threads(prefix="a\x00") == ([], None)
    assert await store.page_threads(prefix="a\udc00", oldest_first=True) == ([], None)


@pytest.mark.parametrize("oldest_first", [False, True], ids=["newest", "oldest"])
async def test_writes_between_pages_neither_repeat_nor_skip_unchanged_threads(
    store: Any, oldest_first: bool
) -> None:
    """What paging guarantees under concurrent writes: each id at most once; every thread
    neither changed nor deleted from the first page to the last exactly once; a thread
    changed (or created) after the first page is not listed by the later pages."""
    ids = [f"t{i:02}" for i in range(30)]
    await _fill(store, ids)
    first, cursor = await store.page_threads(limit=10, oldest_first=oldest_first)
    listed, pending = first[:], [t for t in ids if t not in first]
    touched = {first[-1], first[0], pending[0], pending[-1]}  # the cursor's own thread too
    for tid in sorted(touched):
        await store.append(tid, HI)
    await store.set_metadata(pending[5], {"changed": True})
    await store.delete(pending[6])
    await store.append("new-thread", HI)
    touched |= {pending[5], pending[6], "new-thread"}
    for _ in range(1000):  # (a pager that never ends fails, not hangs)
        if cursor is None:
            break
        page, cursor = await store.page_threads(limit=10, cursor=cursor, oldest_first=oldest_first)
        listed += page
    assert cursor is None, "the pager does not end"
    assert len(listed) == len(set(listed))
    assert set(ids) - touched <= set(listed)
    assert not {pending[0], pending[-1], pending[5], pending[6], "new-thread"} & set(listed)


@pytest.mark.parametrize("oldest_first", [False, True], ids=["newest", "oldest"])
async def test_a_pager_ends_while_a_writer_keeps_changing_threads(
    store: Any, oldest_first: bool
) -> None:
    """A writer changes the thread just listed and adds one before every page: the pager
    still ends, within the pages the first listing needed and one more."""
    ids = [f"t{i:02}" for i in range(20)]
    await _fill(store, ids)
    pages, cursor, seen = 0, None, []
    while True:
        page, cursor = await store.page_threads(limit=3, cursor=cursor, oldest_first=oldest_first)
        pages += 1
        seen += page
        if cursor is None:
            break
        await store.append(page[-1], HI)
        await store.append(f"new{pages}", HI)
        assert pages <= 8, "the pager follows the writer"
    assert len(seen) == len(set(seen)) and set(seen) <= set(ids)


async def test_a_cursor_outlives_its_thread(store: Any) -> None:
    await _fill(store, ["a", "b", "c", "d"])
    page, cursor = await store.page_threads(limit=2)
    assert page == ["d", "c"]
    await store.delete("c")
    assert await store.page_threads(limit=2, cursor=cursor) == (["b", "a"], None)


async def test_the_first_page_is_what_list_threads_returns(store: Any) -> None:
    await _fill(store, ["x/1", "y/1", "x/2"])
    await store.append("x/1", HI)
    for prefix in (None, "x/", "", "zz"):
        ids, _ = await store.page_threads(limit=2, prefix=prefix)
        assert ids == await store.list_threads(limit=2, prefix=prefix)


async def test_a_cursor_is_for_its_own_prefix_and_order(store: Any) -> None:
    await _fill(store, ["a/1", "a/2", "a/3"])
    _, cursor = await store.page_threads(limit=1, prefix="a/")
    assert cursor is not None
    with pytest.raises(ConfigurationError, match="prefix"):
        await store.page_threads(cursor=cursor, prefix="b/")
    with pytest.raises(ConfigurationError, match="prefix"):
        await store.page_threads(cursor=cursor)
    with pytest.raises(ConfigurationError, match="order"):
        await store.page_threads(cursor=cursor, prefix="a/", oldest_first=True)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "garbage",
        "a" * 5000,
        "W" * 20_000,
        "eyJ4IjogMX0",
        "WzEsIm5ldyIsIiIsbnVsbCwxLCJcdTAwMDAiXQ",
        "WzEsIm5ldyIsIiIsbnVsbCwxODQ0Njc0NDA3MzcwOTU1MTYxNiwiYSJd",
        "WzEsIm9sZCIsIiIsLTEsMSwiYSJd",
        42,
    ],
    ids=["empty", "text", "long", "huge", "json-object", "nul-id", "2**64", "negative", "int"],
)
async def test_a_cursor_the_store_did_not_make_is_refused(store: Any, cursor: Any) -> None:
    await _fill(store, ["a"])
    with pytest.raises(ConfigurationError, match="cursor"):
        await store.page_threads(cursor=cursor)


class _Index:
    """An integer of another type (``operator.index`` gives the int)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


async def test_limits(store: Any) -> None:
    """Before: a negative limit listed nothing, ``True`` one thread, a float raised a
    TypeError (memory) and 2**70 an OverflowError (SQLite); 0 lists nothing."""
    await _fill(store, ["a", "b"])
    assert await store.list_threads(limit=0) == []
    assert await store.list_threads(limit=2**70) == ["b", "a"]
    assert await store.page_threads(limit=2**70) == (["b", "a"], None)
    for bad in (-1, True, 2.0, "2", None):
        with pytest.raises(ConfigurationError, match="limit"):
            await store.list_threads(limit=bad)
    for bad in (0, -5, False, 1.5):
        with pytest.raises(ConfigurationError, match="limit"):
            await store.page_threads(limit=bad)
    assert await store.list_threads(limit=_Index(1)) == ["b"]  # numpy.int64, say
    assert await store.page_threads(limit=_Index(1)) == (
        ["b"],
        (await store.page_threads(limit=1))[1],
    )
    for bad_prefix in (5, b"a"):
        with pytest.raises(ConfigurationError, match="prefix"):
            await store.list_threads(prefix=bad_prefix)
        with pytest.raises(ConfigurationError, match="prefix"):
            await store.page_threads(prefix=bad_prefix)


async def test_pagers_interleaved_with_writers_on_one_store(store: Any) -> None:
    """Two pagers and a writer at once: each pager ends, without repeats, having listed
    every thread the writer never touched."""
    ids = [f"t{i:03}" for i in range(60)]
    await _fill(store, ids)
    touched = {f"t{i:03}" for i in range(0, 60, 7)}

    async def writer() -> None:
        for tid in sorted(touched):
            await store.append(tid, HI)
            await asyncio.sleep(0)

    async def pager(oldest_first: bool) -> list[str]:
        seen: list[str] = []
        cursor = None
        for _ in range(1000):  # (a pager that never ends fails, not hangs)
            page, cursor = await store.page_threads(
                limit=4, cursor=cursor, oldest_first=oldest_first
            )
            seen += page
            await asyncio.sleep(0)
            if cursor is None:
                return seen
        raise AssertionError("the pager does not end")

    _, newest, oldest = await asyncio.gather(writer(), pager(False), pager(True))
    for seen in (newest, oldest):
        assert len(seen) == len(set(seen))
        assert set(ids) - touched <= set(seen) <= set(ids)


async def test_deleting_the_newest_thread_does_not_let_a_change_slip_back_into_a_listing(
    store: Any,
) -> None:
    """Before, on SQLite: a change took the highest change number left plus one, so after
    the newest thread was deleted, the next change reused its number: a thread already
    listed oldest first came again on a later page, and a thread created after the first
    page newest first came in the later pages."""
    await _fill(store, ["a", "b", "c"])
    first, cursor = await store.page_threads(limit=1, oldest_first=True)
    assert first == ["a"]
    await store.delete("c")
    await store.append("a", HI)  # changed after the first page: not listed again
    assert await _rest(store, cursor, oldest_first=True) == ["b"]
    await _fill(store, ["c", "d"])
    first, cursor = await store.page_threads(limit=1)
    assert first == ["d"]
    await store.delete("d")
    await store.append("0-new", HI)  # created after the first page: not listed
    assert await _rest(store, cursor) == ["c", "a", "b"]


async def _rest(store: Any, cursor: str | None, **options: Any) -> list[str]:
    listed: list[str] = []
    for _ in range(1000):  # (a pager that never ends fails, not hangs)
        if cursor is None:
            return listed
        page, cursor = await store.page_threads(limit=1, cursor=cursor, **options)
        listed += page
    raise AssertionError("the pager does not end")


async def test_threads_changed_many_times_are_listed_once_at_their_last_change(
    store: Any,
) -> None:
    await _fill(store, ["a", "b", "c", "d", "e"])
    for i in range(150):
        await store.set_metadata("abcde"[i % 3], {"i": i})
    await store.delete("b")
    await store.append("b", HI)
    assert await _all_pages(store, 2) == [["b", "c"], ["a", "e"], ["d"]]
    assert _flat(await _all_pages(store, 2, oldest_first=True)) == ["d", "e", "a", "c", "b"]


async def test_a_page_may_end_on_any_valid_id(store: Any) -> None:
    """Before: a cursor over 4,096 characters was refused, and one ending on a long id of
    characters JSON escapes (1,024 control characters: 6 bytes each) was longer."""
    odd = ["\x01" * 1024, '"\\' * 512, "🧵" * 256, " ", "\u2028\t\n\r"]
    await _fill(store, odd)
    for oldest_first in (False, True):
        listed = _flat(await _all_pages(store, 1, oldest_first=oldest_first))
        assert listed == (odd if oldest_first else odd[::-1])
    with pytest.raises(ConfigurationError, match="oldest_first must be True or False"):
        await store.page_threads(oldest_first="yes")


async def test_an_empty_prefix_is_no_prefix(store: Any) -> None:
    """Before: a cursor of a listing with ``prefix=""`` was refused without one (and the
    other way round), though both list every thread (an HTTP client's ``?prefix=``)."""
    await _fill(store, ["a", "b", "c"])
    _, cursor = await store.page_threads(limit=1, prefix="")
    assert await store.page_threads(limit=5, cursor=cursor) == (["b", "a"], None)
    _, cursor = await store.page_threads(limit=1)
    assert await store.page_threads(limit=5, cursor=cursor, prefix="") == (["b", "a"], None)


async def test_a_closed_store_refuses_every_call_alike(store: Any) -> None:
    """Before: the in-memory store went on working after ``aclose`` (SQLite and
    PostgreSQL refuse), so code that used a store after closing it passed its tests in
    memory and failed on a database; a pager holding a cursor saw the difference too."""
    await _fill(store, ["a", "b"])
    _, cursor = await store.page_threads(limit=1)
    await store.aclose()
    await store.aclose()  # (twice is fine)
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: store.page_threads(cursor=cursor),
        lambda: store.list_threads(),
        lambda: store.load("a"),
        lambda: store.append("a", HI),
        lambda: store.get_metadata("a"),
        lambda: store.set_metadata("a", {}),
        lambda: store.delete("a"),
    ]
    for call in calls:
        with pytest.raises(ConfigurationError, match="is closed; open a new store"):
            await call()
    with pytest.raises(ConfigurationError, match="is closed; open a new store"):
        async with store.lock("a", timeout=1):
            raise AssertionError("locked a closed store")
