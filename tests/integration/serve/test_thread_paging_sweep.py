"""``locus serve``'s sweep of parked runs pages through every parked thread of a store.

Before, a sweep listed the 10,000 most recently changed parked threads, so on a store
holding more, the oldest (the ones that expire first) were never looked at and stayed
forever. Served over real loopback HTTP; the parks go to a SQLite file or memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from locus.agent import Agent
from locus.core.messages import Message
from locus.serve import _expiry, create_app
from locus.serve._paused import OWN_PREFIX, PARKED_AT_KEY, PAUSED_KEY
from locus.stores import InMemoryThreadStore, SQLiteThreadStore
from locus.testing import FunctionModel
from tests.integration.serve.conftest import ServerThread
from tests.unit.serve.test_approvals import delete_file, deleter

TTL = 3_600.0
START = 1_800_000_000.0
PROMPT = {"model": "ops", "messages": [{"role": "user", "content": "delete /tmp/x"}]}


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class ListingOnlyStore:
    """A user's store written against the protocol before paging: no ``page_threads``."""

    def __init__(self) -> None:
        self.inner = InMemoryThreadStore()

    async def load(self, thread_id: str) -> list[Message]:
        return await self.inner.load(thread_id)

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        await self.inner.append(thread_id, messages)

    async def delete(self, thread_id: str) -> None:
        await self.inner.delete(thread_id)

    async def list_threads(self, *, limit: int = 100, prefix: str | None = None) -> list[str]:
        return await self.inner.list_threads(limit=limit, prefix=prefix)

    async def get_metadata(self, thread_id: str) -> dict[str, Any]:
        return await self.inner.get_metadata(thread_id)

    async def set_metadata(self, thread_id: str, metadata: dict[str, Any]) -> None:
        await self.inner.set_metadata(thread_id, metadata)


@pytest.fixture
async def served() -> AsyncIterator[Any]:
    """``served(store)``: the store's agent served on loopback, its clock at ``START + TTL
    + 1`` (its own parks expire the parks stamped ``START``); a SQLite store is closed
    after its server stops (Python 3.13 warns of a connection left open)."""
    servers: list[ServerThread] = []
    stores: list[Any] = []

    def serve(store: Any) -> tuple[ServerThread, Clock]:
        stores.append(store)
        agent = Agent(FunctionModel(deleter), tools=[delete_file], thread_store=store)
        app = create_app({"ops": agent}, paused_ttl=TTL)
        clock = Clock(START + TTL + 1)
        app.state.served.clock = clock
        server = ServerThread(app).__enter__()
        servers.append(server)
        return server, clock

    yield serve
    for server in servers:
        server.__exit__(None, None, None)
    for store in stores:
        if isinstance(store, SQLiteThreadStore):
            await store.aclose()


async def _park_directly(store: Any, names: list[str], parked_at: float) -> None:
    """Parked runs as a server leaves them (the thread's metadata holds the state and the
    time), written straight to the store: faster than 10,000 requests."""
    for name in names:
        thread_id = OWN_PREFIX + name
        await store.append(thread_id, [Message.user("delete /tmp/x")])
        await store.set_metadata(thread_id, {PAUSED_KEY: {"id": name}, PARKED_AT_KEY: parked_at})


def _park(server: ServerThread) -> None:
    """A real thread-less completion that pauses: the request sweeps (one is due)."""
    answer = httpx.post(server.url + "/v1/chat/completions", json=PROMPT, timeout=120)
    assert answer.json()["locus"]["stop_reason"] == "awaiting_approval"


async def test_a_sweep_expires_the_oldest_parked_runs_beyond_the_newest_ten_thousand(
    served: Any,
) -> None:
    """50 expired parks, then 10,000 fresh ones: before, the sweep saw only the fresh."""
    store = InMemoryThreadStore()
    old = [f"old-{i}" for i in range(50)]
    await _park_directly(store, old, START)
    await _park_directly(store, [f"fresh-{i}" for i in range(10_000)], START + TTL)
    server, _ = served(store)
    _park(server)
    left = await store.list_threads(limit=20_000, prefix=OWN_PREFIX)
    assert len(left) == 10_001
    assert not {OWN_PREFIX + name for name in old} & set(left)


async def test_each_sweep_is_bounded_and_the_next_goes_on_where_it_stopped(
    served: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweep looks at SWEEP_LIMIT parked threads at most, SWEEP_PAGE at a time; the
    next sweep continues after them, then starts again from the oldest. The oldest ten
    are fresh (their stamps say so: a replica whose clock runs behind), the fifteen after
    them expired."""
    monkeypatch.setattr(_expiry, "SWEEP_LIMIT", 10)
    monkeypatch.setattr(_expiry, "SWEEP_PAGE", 4)
    store = SQLiteThreadStore(tmp_path / "threads.db")
    fresh, stale = [f"a{i:02}" for i in range(10)], [f"b{i:02}" for i in range(15)]
    await _park_directly(store, fresh, START + TTL)
    await _park_directly(store, stale, START)
    server, clock = served(SQLiteThreadStore(tmp_path / "threads.db"))
    agents, state = server.app.state.served.agents, server.state
    removed = []
    for _ in range(4):
        clock.now += 1
        removed.append(await _expiry.sweep(agents, state, TTL, clock.now))
    assert removed == [0, 10, 5, 0]
    left = await store.list_threads(prefix=OWN_PREFIX, limit=100)
    assert sorted(left) == [OWN_PREFIX + name for name in fresh]
    await store.aclose()


async def test_a_store_that_cannot_page_is_swept_as_before(served: Any) -> None:
    """A store without ``page_threads`` (written before it) still sweeps its listing."""
    store = ListingOnlyStore()
    await _park_directly(store, ["gone-1", "gone-2"], START)
    await _park_directly(store, ["kept"], START + TTL)
    server, _ = served(store)
    _park(server)
    left = await store.list_threads(prefix=OWN_PREFIX)
    assert len(left) == 2 and OWN_PREFIX + "kept" in left


class CountingLocks(SQLiteThreadStore):
    """A SQLite store that counts the locks taken on it."""

    locks = 0

    def lock(self, thread_id: str, *, timeout: float | None = None) -> Any:
        self.locks += 1
        return super().lock(thread_id, timeout=timeout)


async def test_a_sweep_locks_only_the_threads_it_may_remove(served: Any, tmp_path: Path) -> None:
    """Before: a sweep took each parked thread's lock (two write transactions on SQLite)
    to read its time, about 1.6 ms a thread: 16 s for 10,000 fresh parks, spent inside
    the request that happened to sweep. A fresh stamp only ever gets fresher, so one read
    without the lock rules the thread out."""
    store = CountingLocks(tmp_path / "threads.db")
    await _park_directly(store, [f"fresh-{i}" for i in range(50)], START + TTL)
    await _park_directly(store, [f"stale-{i}" for i in range(5)], START)
    server, clock = served(store)
    served_app = server.app.state.served
    removed = await _expiry.sweep(served_app.agents, server.state, TTL, clock.now)
    assert (removed, store.locks) == (5, 5)
    assert len(await store.list_threads(prefix=OWN_PREFIX)) == 50


async def test_a_request_sweeps_a_smaller_share_and_the_periodic_sweep_the_rest(
    served: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep a parking request runs (when one is due) holds that request up, so it
    looks at REQUEST_SWEEP_LIMIT parked threads (1,000), not SWEEP_LIMIT (10,000); the
    app's periodic sweep, and the next due request, go on from there."""
    monkeypatch.setattr(_expiry, "REQUEST_SWEEP_LIMIT", 10)
    monkeypatch.setattr(_expiry, "SWEEP_PAGE", 4)
    store = InMemoryThreadStore()
    await _park_directly(store, [f"stale-{i:02}" for i in range(30)], START)
    server, clock = served(store)
    _park(server)  # due: sweeps ten
    assert len(await store.list_threads(prefix=OWN_PREFIX)) == 20 + 1
    served_app = server.app.state.served
    await _expiry.maybe_sweep(served_app.agents, server.state, TTL, clock, due=True)
    assert len(await store.list_threads(prefix=OWN_PREFIX)) == 1  # the request's own park
