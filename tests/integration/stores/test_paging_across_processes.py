"""Two processes page through the threads while a third writes, on SQLite and PostgreSQL;
and a store closed between pages."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.stores import open_thread_store
from tests.deadlines import read_line
from tests.integration.stores.test_cross_process import _finish, _spawn, store, url

__all__ = ["store", "url"]  # the fixtures, shared with test_cross_process

PREFIX = "p/"
MAX_ROUNDS = 1000  # (a paging that never ends fails here, not hangs; 41 are expected)


async def test_two_pagers_and_a_writer_in_three_processes(store: Any, url: str) -> None:
    """Each pager ends, lists no thread the writer never touched twice nor misses one,
    and lists nothing but the prefix's threads. A thread the writer touched may be missed
    (changed after the first page), or on PostgreSQL come twice (a write in flight while
    a page was read, the documented exception)."""
    untouched = [f"{PREFIX}u{i:03}" for i in range(150)]
    for tid in untouched:
        await store.append(tid, [Message.user("x")])
    for i in range(10):
        await store.append(f"{PREFIX}w{i}", [Message.user("x")])
    await store.append("elsewhere", [Message.user("x")])
    writer = _spawn("churn", url, PREFIX, "3")
    pagers = [_spawn("page", url, PREFIX, order, "4") for order in ("oldest", "newest")]
    results, rounds = _in_turn(writer, pagers)
    assert rounds <= 41  # 160 threads, 4 a page: the writes did not lengthen the paging
    for listed in results.values():
        assert all(tid.startswith(PREFIX) for tid in listed)
        counts = {tid: listed.count(tid) for tid in listed}
        assert {tid for tid in untouched if counts.get(tid) != 1} == set()
        repeated = {tid for tid, n in counts.items() if n > 1}
        assert (
            not repeated if url.startswith("sqlite") else repeated <= set(listed) - set(untouched)
        )


async def test_a_store_closed_between_pages_says_so_and_the_cursor_goes_on_elsewhere(
    store: Any, url: str
) -> None:
    for tid in ("a", "b", "c"):
        await store.append(tid, [Message.user(tid)])
    first, cursor = await store.page_threads(limit=1, oldest_first=True)
    await store.aclose()
    with pytest.raises(ConfigurationError, match="is closed; open a new store"):
        await store.page_threads(limit=1, cursor=cursor, oldest_first=True)
    with pytest.raises(ConfigurationError, match="is closed; open a new store"):
        await store.list_threads()
    other: Any = open_thread_store(url)  # another process would do the same
    try:
        rest, end = await other.page_threads(limit=5, cursor=cursor, oldest_first=True)
        assert (first, rest, end) == (["a"], ["b", "c"], None)
    finally:
        await other.aclose()


def _in_turn(
    writer: subprocess.Popen[str], pagers: list[subprocess.Popen[str]]
) -> tuple[dict[int, list[str]], int]:
    """A page of each pager, then a round of writes, until every pager has listed all:
    what each listed, and how many rounds it took."""
    results: dict[int, list[str]] = {}
    rounds = 0
    while len(results) < len(pagers):  # a page of each pager, then writes, in turn
        for n, pager in enumerate(pagers):
            if n in results:
                continue
            assert pager.stdout is not None
            said = read_line(pager.stdout, f"pager {n} tells its page")
            if said.startswith("["):
                results[n] = json.loads(said)
            else:
                assert said == "page\n", said + _finish(pager)
        assert writer.stdin is not None and writer.stdout is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
        assert read_line(writer.stdout, "the writer tells its round") == "wrote\n"
        for n, pager in enumerate(pagers):
            if n not in results:
                assert pager.stdin is not None
                pager.stdin.write("next\n")
                pager.stdin.flush()
        rounds += 1
        assert rounds <= MAX_ROUNDS, f"the pagers did not end within {MAX_ROUNDS} rounds"
    _finish(writer)  # (its stdin closed: it ends)
    for pager in pagers:
        _finish(pager)
    return results, rounds
