"""A second process for the cross-process store tests: ``python -m tests.integration.stores._proc``.

``turns URL THREAD NAME N``: N turns, each under ``lock``: load, check no half turn is
stored, append a user message and a tool call, yield, append the tool result and answer.
``hold URL THREAD``: take the lock, print ``held``, release when stdin gets a line.
``try URL THREAD TIMEOUT``: print ``acquired`` or ``conflict``.
``count URL THREAD N``: N times, under ``lock``: read the metadata, add one to its
``n``, write it back.
``page URL PREFIX ORDER LIMIT``: page through the threads of PREFIX (``oldest`` or
``newest`` first), a page per line read; print the ids listed as JSON.
``churn URL PREFIX N``: per line read, N writes to PREFIX's threads.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from locus.core.errors import ThreadConflictError
from locus.core.messages import Message, ToolCall
from locus.stores import SQLiteThreadStore, open_thread_store


async def turns(store: Any, thread_id: str, name: str, count: int) -> None:
    for i in range(count):
        async with store.lock(thread_id, timeout=60):
            stored = await store.load(thread_id)
            if len(stored) % 4:
                raise SystemExit(f"{name}:{i} saw a half turn: {len(stored)} messages")
            call = ToolCall(id=f"{name}-{i}", name="step", arguments={"i": i})
            await store.append(
                thread_id, [Message.user(f"{name}:{i}"), Message.assistant(None, [call])]
            )
            await asyncio.sleep(0)
            await store.append(
                thread_id,
                [
                    Message.tool(f"r{i}", f"{name}-{i}", "step"),
                    Message.assistant(f"{name}:{i} done"),
                ],
            )


async def hold(store: Any, thread_id: str) -> None:
    async with store.lock(thread_id):
        print("held", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    print("released", flush=True)


async def try_lock(store: Any, thread_id: str, timeout: str) -> None:
    try:
        async with store.lock(thread_id, timeout=None if timeout == "none" else float(timeout)):
            print("acquired", flush=True)
    except ThreadConflictError:
        print("conflict", flush=True)


async def count(store: Any, thread_id: str, times: int) -> None:
    for _ in range(times):
        async with store.lock(thread_id, timeout=60):
            metadata = await store.get_metadata(thread_id)
            await asyncio.sleep(0)
            await store.set_metadata(thread_id, {**metadata, "n": metadata.get("n", 0) + 1})


async def page(store: Any, prefix: str, order: str, limit: int) -> None:
    """Print ``page`` after each page but the last, and wait for a line before the next."""
    listed: list[str] = []
    cursor = None
    while True:
        ids, cursor = await store.page_threads(
            limit=limit, prefix=prefix, cursor=cursor, oldest_first=order == "oldest"
        )
        listed += ids
        if cursor is None:
            break
        print("page", flush=True)
        await _line()
    print(json.dumps(listed), flush=True)


async def churn(store: Any, prefix: str, times: int) -> None:
    """For each line read: ``times`` writes (append to ``w<i % 10>``, create ``new<i>``),
    then print ``wrote``; end at the end of stdin."""
    i = 0
    while await _line():
        for _ in range(times):
            await store.append(f"{prefix}w{i % 10}", [Message.user(str(i))])
            await store.append(f"{prefix}new{i}", [Message.user(str(i))])
            i += 1
        print("wrote", flush=True)


async def _line() -> str:
    return await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def main(argv: list[str]) -> None:
    command, url, thread_id, *rest = argv
    store: Any = open_thread_store(url)
    if url.startswith("sqlite") and os.environ.get("LOCUS_TEST_LEASE"):  # a short lease
        store = SQLiteThreadStore(store.path, lease_seconds=float(os.environ["LOCUS_TEST_LEASE"]))
    try:
        if command == "turns":
            await turns(store, thread_id, rest[0], int(rest[1]))
        elif command == "count":
            await count(store, thread_id, int(rest[0]))
        elif command == "page":
            await page(store, thread_id, rest[0], int(rest[1]))
        elif command == "churn":
            await churn(store, thread_id, int(rest[0]))
        elif command == "hold":
            await hold(store, thread_id)
        else:
            await try_lock(store, thread_id, rest[0])
    finally:
        await store.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
