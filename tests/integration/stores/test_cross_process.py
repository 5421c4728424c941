"""Two processes on one thread, on SQLite and on PostgreSQL: the lock keeps turns whole."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from locus.core.errors import ThreadConflictError
from locus.core.messages import Message
from locus.stores import open_thread_store
from tests.deadlines import read_line
from tests.integration.stores.services import ROOT


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/threads.db"
    dsn: str = request.getfixturevalue("postgres_dsn")
    return dsn


@pytest.fixture
async def store(url: str) -> AsyncIterator[Any]:
    made: Any = open_thread_store(url)
    yield made
    await made.aclose()


def _spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.stores._proc", *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out


def _check_turns(messages: list[Message], names: list[str], count: int) -> list[str]:
    """Every turn whole and in order per process; the order in which processes took turns."""
    assert len(messages) == 4 * count * len(names)
    seen = {name: 0 for name in names}
    order = []
    for k in range(0, len(messages), 4):
        user, call, result, answer = messages[k : k + 4]
        name, i = (user.content or "").split(":")
        assert int(i) == seen[name], "a process's turns out of order"
        seen[name] += 1
        assert call.tool_calls[0].id == f"{name}-{i}" == result.tool_call_id
        assert answer.content == f"{name}:{i} done"
        order.append(name)
    assert seen == dict.fromkeys(names, count)
    return order


@pytest.mark.slow
async def test_two_processes_append_50_turns_each_none_interleaved(url: str, store: Any) -> None:
    procs = [_spawn("turns", url, "shared", name, "50") for name in ("A", "B")]
    for proc in procs:
        _finish(proc)
    order = _check_turns(await store.load("shared"), ["A", "B"], 50)
    print(f"turns switched process {sum(a != b for a, b in itertools.pairwise(order))} times")


async def test_the_lock_excludes_another_process(url: str, store: Any) -> None:
    await store.append("t", [Message.user("x")])  # schema in place before the children race
    holder = _spawn("hold", url, "t")
    assert holder.stdout is not None and holder.stdin is not None
    assert read_line(holder.stdout, "the holder says it holds the lock").strip() == "held"
    with pytest.raises(ThreadConflictError, match="locked by another run"):
        async with store.lock("t", timeout=0.2):
            raise AssertionError("taken while another process holds it")
    prober = _spawn("try", url, "t", "0.2")
    assert _finish(prober).strip() == "conflict"
    waiter = _spawn("try", url, "t", "none")
    holder.stdin.write("release\n")
    holder.stdin.flush()
    assert _finish(holder).strip() == "released"
    assert _finish(waiter).strip() == "acquired"
    async with store.lock("t", timeout=10):
        pass


async def test_a_process_killed_while_holding_releases_the_lock(url: str, store: Any) -> None:
    """Postgres: the session ends with the connection; SQLite: the lease (0.5 s here) expires."""
    await store.list_threads()
    holder = _spawn("hold", url, "t", env={"LOCUS_TEST_LEASE": "0.5"})
    assert holder.stdout is not None
    assert read_line(holder.stdout, "the holder says it holds the lock").strip() == "held"
    holder.kill()
    holder.communicate(timeout=30)
    async with store.lock("t", timeout=30):
        pass


async def test_metadata_read_modify_write_under_the_lock_loses_no_update(
    url: str, store: Any
) -> None:
    """The documented recipe for changing one key of a thread's metadata from several
    processes at once (a paused run's state is changed the same way)."""
    await store.set_metadata("t", {"n": 0, "keep": "me"})
    procs = [_spawn("count", url, "t", "30") for _ in range(2)]
    for proc in procs:
        _finish(proc)
    assert await store.get_metadata("t") == {"n": 60, "keep": "me"}
