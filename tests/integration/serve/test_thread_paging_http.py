"""``GET /v1/threads`` pages: ``?cursor=`` in, ``next_cursor`` out, ``?order=oldest``.

Before, the route listed at most 1000 ids with no way to reach the rest. Over real
loopback HTTP, on a SQLite file that another store (another process, as it were) writes
between the pages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from locus.agent import Agent
from locus.core.messages import Message
from locus.serve import create_app
from locus.stores import SQLiteThreadStore
from locus.testing import FunctionModel
from tests.integration.serve.conftest import ServerThread
from tests.integration.serve.test_thread_paging_sweep import ListingOnlyStore

HI = [Message.user("hi")]


@pytest.fixture
async def serve() -> AsyncIterator[Any]:
    """``serve(store)``: an agent on ``store`` served on loopback; a SQLite store is closed
    after its server stops (Python 3.13 warns of a connection left open)."""
    servers: list[ServerThread] = []
    stores: list[Any] = []

    def start(store: Any) -> ServerThread:
        stores.append(store)
        agent = Agent(FunctionModel(lambda messages, tools: "ok"), thread_store=store)
        server = ServerThread(create_app({"a": agent})).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)
    for store in stores:
        if isinstance(store, SQLiteThreadStore):
            await store.aclose()


def _get(server: ServerThread, **params: Any) -> httpx.Response:
    return httpx.get(server.url + "/v1/threads", params=params, timeout=30)


def _pages(server: ServerThread, **params: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = params.pop("cursor", None)
    while True:
        answer = _get(server, **params, **({"cursor": cursor} if cursor else {}))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        pages.append(body["threads"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100


async def test_a_client_pages_through_every_thread_in_both_orders(
    serve: Any, tmp_path: Path
) -> None:
    writer = SQLiteThreadStore(tmp_path / "t.db")
    ids = [f"user/{i:04}" for i in range(2_345)]
    for tid in ids:
        await writer.append(tid, HI)
    server = serve(SQLiteThreadStore(tmp_path / "t.db"))
    newest = _pages(server, limit=1000)
    assert [len(p) for p in newest] == [1000, 1000, 345]
    assert [t for p in newest for t in p] == ids[::-1]
    oldest = _pages(server, limit=700, order="oldest", prefix="user/")
    assert [t for p in oldest for t in p] == ids
    await writer.aclose()


async def test_writes_between_pages_repeat_nothing_and_skip_no_unchanged_thread(
    serve: Any, tmp_path: Path
) -> None:
    writer = SQLiteThreadStore(tmp_path / "t.db")
    ids = [f"t{i:02}" for i in range(30)]
    for tid in ids:
        await writer.append(tid, HI)
    server = serve(SQLiteThreadStore(tmp_path / "t.db"))
    first = _get(server, limit=10).json()
    await writer.append(first["threads"][-1], HI)  # the thread the cursor points at
    await writer.append("t05", HI)  # not listed yet: now newer than the listing
    await writer.delete("t10")
    rest = _pages(server, limit=10, cursor=first["next_cursor"])
    listed = first["threads"] + [t for p in rest for t in p]
    assert len(listed) == len(set(listed))
    assert set(listed) == set(ids) - {"t05", "t10"}
    await writer.aclose()


async def test_bad_paging_requests_are_400_with_what_to_do(serve: Any, tmp_path: Path) -> None:
    writer = SQLiteThreadStore(tmp_path / "t.db")
    for tid in ("a/1", "a/2", "b/1"):
        await writer.append(tid, HI)
    server = serve(SQLiteThreadStore(tmp_path / "t.db"))
    cursor = _get(server, limit=1, prefix="a/").json()["next_cursor"]
    for params, said in [
        ({"cursor": "not-a-cursor"}, "not one page_threads returned"),
        ({"cursor": cursor, "prefix": "b/"}, "another prefix"),
        ({"cursor": cursor, "prefix": "a/", "order": "oldest"}, "oldest_first=False"),
        ({"order": "sideways"}, "'order' must be 'newest' or 'oldest'"),
        ({"limit": "0"}, "'limit' must be a positive integer"),
        ({"limit": "-5"}, "'limit' must be a positive integer"),
        ({"limit": "many"}, "'limit' must be a positive integer"),
    ]:
        answer = _get(server, **params)
        assert answer.status_code == 400, params
        assert said in answer.json()["error"]["message"], params
    assert _get(server, limit=10**30).json()["threads"] == ["b/1", "a/2", "a/1"]
    # an empty cursor (a client's template for the first page) is the first page
    assert _get(server, cursor="", limit=1).json()["threads"] == ["b/1"]
    long_id = "\x01" * 1024  # the longest cursor there is (8,400 characters) goes over HTTP
    await writer.append(long_id, HI)
    await writer.append("z", HI)
    cursor = _get(server, limit=1, order="oldest").json()["next_cursor"]
    for _ in range(3):
        cursor = _get(server, limit=1, order="oldest", cursor=cursor).json()["next_cursor"]
    assert len(cursor) > 8000
    assert _get(server, order="oldest", cursor=cursor).json()["threads"] == ["z"]
    await writer.aclose()


async def test_a_store_that_cannot_page_lists_one_page_and_refuses_a_cursor(
    serve: Any,
) -> None:
    store = ListingOnlyStore()
    for tid in ("x", "y"):
        await store.append(tid, HI)
    server = serve(store)
    assert _get(server).json() == {"agent": "a", "threads": ["y", "x"], "next_cursor": None}
    for params in ({"cursor": "anything"}, {"order": "oldest"}):
        answer = _get(server, **params)
        assert answer.status_code == 501
        assert "cannot page" in answer.json()["error"]["message"]
