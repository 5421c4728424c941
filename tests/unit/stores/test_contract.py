"""One contract for every thread store: what the agent and users may rely on."""

from __future__ import annotations

import asyncio
import math
import random
import string
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from locus.core.errors import ConfigurationError, SerializationError, ThreadConflictError
from locus.core.messages import ImagePart, Message, ToolCall
from locus.stores import ThreadStore


def _turn(i: int) -> list[Message]:
    call = ToolCall(id=f"c{i}", name="lookup", arguments={"n": i, "deep": {"x": [1, None]}})
    return [
        Message.user(f"question {i}", images=["https://example.com/a.png"]),
        Message.assistant(None, [call], reasoning="thinking"),
        Message.tool(f"answer {i}", f"c{i}", "lookup", is_error=i % 2 == 0),
        Message.assistant(f"done {i}"),
    ]


async def test_is_a_thread_store(store: Any) -> None:
    assert isinstance(store, ThreadStore)


async def test_unknown_thread_is_empty(store: Any) -> None:
    assert await store.load("nobody") == []
    assert await store.get_metadata("nobody") == {}
    assert await store.list_threads() == []


async def test_append_then_load_in_order(store: Any) -> None:
    await store.append("t", _turn(1))
    await store.append("t", _turn(2))
    assert await store.load("t") == _turn(1) + _turn(2)
    assert await store.load("other") == []


async def test_every_field_survives(store: Any) -> None:
    call = ToolCall(id="x", name="f", arguments={}, raw_arguments="not json {")
    msgs = [
        Message.system("sys"),
        Message.user("see", images=[ImagePart("data:image/png;base64,AAAA", detail="high")]),
        Message.assistant(None, [call]),
        Message.tool("bad", "x", None, is_error=True),
        Message(role="assistant", content="", reasoning=""),
    ]
    await store.append("t", msgs)
    assert await store.load("t") == msgs


async def test_appending_nothing_creates_no_thread(store: Any) -> None:
    await store.append("t", [])
    assert await store.list_threads() == []


async def test_unicode_ids_and_text(store: Any) -> None:
    tid = "fil/ç·🧵 'quoted' \"double\" %_"
    msgs = [Message.user("héllo ✓ 日本語 🧵 \x00 nul and \u2028 line sep"), Message.assistant("ok")]
    await store.append(tid, msgs)
    assert await store.load(tid) == msgs
    assert await store.list_threads() == [tid]


async def test_large_thread(store: Any) -> None:
    big = "x" * 1_000_000
    for i in range(200):
        await store.append("big", _turn(i))
    await store.append("big", [Message.user(big)])
    loaded = await store.load("big")
    assert len(loaded) == 801
    assert loaded[-1].content == big
    assert loaded[:8] == _turn(0) + _turn(1)


async def test_delete(store: Any) -> None:
    await store.append("a", _turn(1))
    await store.set_metadata("a", {"title": "A"})
    await store.append("b", _turn(2))
    await store.delete("a")
    await store.delete("never-existed")
    assert await store.load("a") == []
    assert await store.get_metadata("a") == {}
    assert await store.list_threads() == ["b"]
    await store.append("a", _turn(3))
    assert await store.load("a") == _turn(3)


async def test_list_threads_recent_first_with_prefix_and_limit(store: Any) -> None:
    for tid in ["user1/a", "user1/b", "user2/a"]:
        await store.append(tid, _turn(0))
    await store.append("user1/a", _turn(1))
    assert await store.list_threads() == ["user1/a", "user2/a", "user1/b"]
    assert await store.list_threads(prefix="user1/") == ["user1/a", "user1/b"]
    assert await store.list_threads(limit=1) == ["user1/a"]
    assert await store.list_threads(prefix="user3") == []
    assert await store.list_threads(prefix="%") == []
    assert await store.list_threads(prefix="user_") == []


async def test_metadata_replaces_and_is_a_copy(store: Any) -> None:
    meta: dict[str, Any] = {"title": "Trip ✈", "tags": ["a", "b"], "n": 3, "ok": True, "x": None}
    await store.set_metadata("t", meta)
    meta["tags"].append("mutated")
    got = await store.get_metadata("t")
    assert got == {"title": "Trip ✈", "tags": ["a", "b"], "n": 3, "ok": True, "x": None}
    got["title"] = "changed"
    assert (await store.get_metadata("t"))["title"] == "Trip ✈"
    await store.set_metadata("t", {"only": 1})
    assert await store.get_metadata("t") == {"only": 1}
    assert await store.load("t") == []
    assert await store.list_threads() == ["t"]


async def test_metadata_must_be_json(store: Any) -> None:
    with pytest.raises(SerializationError, match="JSON"):
        await store.set_metadata("t", {"when": object()})
    with pytest.raises(SerializationError, match="keys must be strings"):
        await store.set_metadata("t", {1: "x"})
    assert await store.get_metadata("t") == {}


async def test_lock_excludes_and_orders(store: Any) -> None:
    order: list[str] = []

    async def run(name: str) -> None:
        async with store.lock("t"):
            order.append(f"{name}+")
            for _ in range(5):
                await asyncio.sleep(0)
            order.append(f"{name}-")

    await asyncio.gather(*(run(str(i)) for i in range(4)))
    assert len(order) == 8
    assert all(order[i][0] == order[i + 1][0] for i in range(0, 8, 2))
    assert all(order[i].endswith("+") and order[i + 1].endswith("-") for i in range(0, 8, 2))


async def test_lock_is_per_thread(store: Any) -> None:
    async with store.lock("a"), store.lock("b", timeout=5):
        pass


async def test_lock_timeout_is_a_conflict(store: Any) -> None:
    async with store.lock("t"):
        with pytest.raises(ThreadConflictError, match="'t' is locked by another run"):
            async with store.lock("t", timeout=0.05):
                raise AssertionError("taken twice")
    async with store.lock("t", timeout=5):  # released, and the timed-out waiter left no trace
        pass


async def test_lock_released_on_error(store: Any) -> None:
    with pytest.raises(RuntimeError):
        async with store.lock("t"):
            raise RuntimeError("run failed")
    async with store.lock("t", timeout=5):
        pass


async def test_cancelled_waiter_does_not_keep_the_lock(store: Any) -> None:
    async with store.lock("t"):
        waiter = asyncio.ensure_future(store.lock("t").__aenter__())
        await asyncio.sleep(0.01)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    async with store.lock("t", timeout=5):
        pass


_BAD_IDS = ["", "a\x00b", "lone \ud83d surrogate", "é" * 513]


@pytest.mark.parametrize("bad", _BAD_IDS, ids=["empty", "nul", "surrogate", "too-long"])
async def test_a_thread_id_no_database_can_keep_is_refused_by_every_store(
    store: Any, bad: str
) -> None:
    """Writes and locks refuse it; reads and delete find no thread there (an id from a
    request can be looked up as is). Before: memory took all four, SQLite raised a bare
    UnicodeEncodeError for the surrogate, PostgreSQL a StoreError ("see its log") for NUL
    and the long id, on reads as on writes."""
    writes: list[Callable[[], Awaitable[Any]]] = [
        lambda: store.append(bad, [Message.user("x")]),
        lambda: store.set_metadata(bad, {"a": 1}),
    ]
    for write in writes:
        with pytest.raises(ConfigurationError, match="thread id"):
            await write()
    with pytest.raises(ConfigurationError, match="thread id"):
        async with store.lock(bad, timeout=1):
            raise AssertionError("locked a thread that cannot exist")
    assert await store.load(bad) == []
    assert await store.get_metadata(bad) == {}
    await store.delete(bad)
    assert await store.list_threads() == []
    with pytest.raises(ConfigurationError, match="must be a str"):
        await store.load(42)


async def test_awkward_but_valid_ids_round_trip(store: Any) -> None:
    longest = "".join(random.Random(7).choice(string.ascii_letters) for _ in range(1024))
    ids = ["../../etc/passwd", "C:\\x\\y", "a'; DROP TABLE locus_threads; --", " ", longest]
    for tid in ids:
        await store.append(tid, [Message.user(tid[:10])])
        async with store.lock(tid, timeout=5):
            await store.set_metadata(tid, {"id": tid})
    for tid in ids:
        assert await store.load(tid) == [Message.user(tid[:10])]
        assert await store.get_metadata(tid) == {"id": tid}
    assert sorted(await store.list_threads()) == sorted(ids)


async def test_a_prefix_no_id_can_have_lists_nothing(store: Any) -> None:
    await store.append("a", [Message.user("x")])
    assert await store.list_threads(prefix="a\x00") == []
    assert await store.list_threads(prefix="a\udc00") == []
    assert await store.list_threads(prefix="") == ["a"]


async def test_metadata_with_a_lone_surrogate_round_trips(store: Any) -> None:
    """Before: SQLite and PostgreSQL raised a bare UnicodeEncodeError (memory kept it)."""
    meta = {"partial emoji \ud83d": "text \udc00 cut", "ok": "日本"}
    await store.set_metadata("t", meta)
    assert await store.get_metadata("t") == meta


async def test_any_lock_timeout_a_caller_may_pass(store: Any) -> None:
    """Before, on PostgreSQL: ``inf`` raised a bare OverflowError, ``nan`` a ValueError,
    1e10 s a StoreError (lock_timeout out of range), and a zero or negative timeout a
    ThreadConflictError on a free thread (no pooled connection within 1 ms)."""
    for timeout in (math.inf, 1e10, 0, -1):
        async with store.lock("a", timeout=timeout), store.lock("b", timeout=timeout):
            pass
    async with store.lock("a"):
        for timeout in (0, -1):
            with pytest.raises(ThreadConflictError, match="'a' is locked by another run"):
                async with store.lock("a", timeout=timeout):
                    raise AssertionError("taken twice")
    with pytest.raises(ConfigurationError, match="timeout"):
        async with store.lock("a", timeout=math.nan):
            raise AssertionError("a NaN timeout")
