"""Programs that use a PostgreSQL store and never close it still end, quietly, with every
write they were told succeeded stored; each runs in a subprocess with a bounded wait.

Before: psycopg_pool's worker, caught making a connection when the event loop ended (the
pools growing under many runs at once, or replacing connections while the database was
down), swallowed the loop's cancellation and kept ``asyncio.run`` from returning; Locus's
sync loop left the pools' tasks pending ("Task was destroyed but it is pending!"); a
second ``asyncio.run`` was refused; a run that came while the pools were opening could
find them "not open yet".
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from locus.core.errors import ConfigurationError
from locus.stores import PostgresThreadStore
from tests.integration.stores._private_pg import (
    PrivatePostgres,
    remove_private_postgres,
    start_private_postgres,
)
from tests.integration.stores.services import ROOT

WAIT = 60  # seconds a program may take to end before it counts as hung

RUNS = """
import asyncio, sys
from locus.core.errors import StoreError, ThreadConflictError
from locus.core.messages import Message
from locus.stores import PostgresThreadStore

async def run(store, thread, i):
    async with store.lock(thread, timeout=30):
        await store.load(thread)
        await store.append(thread, [Message.user(str(i))])
    print("ok", thread, flush=True)

async def runs(store, prefix, wave):
    await asyncio.gather(*(run(store, f"{prefix}{k}", wave) for k in range(60)))
"""

ENDS_WHILE_GROWING = (
    RUNS
    + """
async def main(dsn):
    store = PostgresThreadStore(dsn)
    tasks = [asyncio.create_task(run(store, f"g{k}", k)) for k in range(60)]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    # no aclose(): the loop ends while the pools are still growing for the other runs

asyncio.run(main(sys.argv[1]))
print("exited", flush=True)
"""
)

INTERRUPTED = (
    RUNS
    + """
async def main(dsn, prefix):
    store = PostgresThreadStore(dsn)
    wave = 0
    while True:
        await runs(store, prefix, wave)
        wave += 1

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""
)

DATABASE_DOWN = (
    RUNS
    + """
async def main(dsn, prefix):
    store = PostgresThreadStore(dsn, connect_timeout=2)
    await runs(store, prefix, 0)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # stopped
    failures = 0
    while failures < 20:  # the program meets its down database, then gives up
        try:
            await runs(store, prefix, 1)
        except (StoreError, ThreadConflictError):
            failures += 1

asyncio.run(main(sys.argv[1], sys.argv[2]))
print("exited", flush=True)
"""
)

RUN_SYNC = """
import sys
from concurrent.futures import ThreadPoolExecutor
from locus.agent import Agent
from locus.testing import ScriptedModel

agent = Agent(ScriptedModel([f"a{i}" for i in range(40)]), thread_store=sys.argv[1])
with ThreadPoolExecutor(8) as pool:  # runs arrive while the store is still opening
    list(pool.map(lambda i: agent.run_sync(f"q{i}", thread_id=f"s{i % 10}").message, range(40)))
print("exited", flush=True)
"""

TWO_LOOPS = """
import asyncio, sys
from locus.agent import Agent
from locus.testing import ScriptedModel

agent = Agent(ScriptedModel([f"a{i}" for i in range(20)]), thread_store=sys.argv[1])

async def runs():
    await asyncio.gather(*(agent.arun(f"q{i}", thread_id=f"t{i % 5}") for i in range(10)))

asyncio.run(runs())
asyncio.run(runs())  # the same agent and store, on a new event loop
print(len(asyncio.run(agent.thread_store.load("t0"))), flush=True)
print("exited", flush=True)
"""


def _start(program: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", program, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # a background shell ignores SIGINT, and a child would inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _finish(proc: subprocess.Popen[str], what: str) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=WAIT)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(
            f"{what}: the program did not end within {WAIT} s (hung at its end); "
            f"stderr: {err[-1500:]}"
        ) from None


def _told_ok(out: str) -> dict[str, int]:
    told: dict[str, int] = {}
    for line in out.splitlines():
        if line.startswith("ok "):
            told[line.split()[1]] = told.get(line.split()[1], 0) + 1
    return told


def _stored(dsn: str, prefix: str) -> dict[str, int]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT thread_id, count(*) FROM locus_messages WHERE thread_id LIKE %s GROUP BY 1",
            (prefix + "%",),
        ).fetchall()
    return {thread: int(n) for thread, n in rows}


def _assert_nothing_lost(dsn: str, prefix: str, out: str) -> None:
    told, stored = _told_ok(out), _stored(dsn, prefix)
    assert told, "no run succeeded before the program ended"
    lost = {t: (n, stored.get(t, 0)) for t, n in told.items() if stored.get(t, 0) < n}
    assert not lost, f"appends told ok but not stored (told, stored): {lost}"


def test_a_program_that_ends_while_the_pools_grow_exits_quietly(postgres_dsn: str) -> None:
    for _ in range(3):
        out, err = _finish(_start(ENDS_WHILE_GROWING, postgres_dsn), "ended while growing")
        assert out.splitlines()[-1:] == ["exited"], err[-2000:]
        assert err == "", f"the program printed at its end: {err[-2000:]}"


def test_a_program_interrupted_mid_run_ends_and_loses_no_write(postgres_dsn: str) -> None:
    for attempt in range(3):
        prefix = f"i{attempt}-"
        proc = _start(INTERRUPTED, postgres_dsn, prefix)
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("ok "), "no run succeeded"
        proc.send_signal(signal.SIGINT)  # while the first runs still grow the pools
        out, err = _finish(proc, "interrupted")
        assert "KeyboardInterrupt" in err, err[-2000:]
        for said in ("Task was destroyed", "Task exception was never retrieved"):
            assert said not in err, err[-3000:]
        _assert_nothing_lost(postgres_dsn, prefix, first + out)


@pytest.fixture
def server() -> Iterator[PrivatePostgres]:
    made = start_private_postgres()
    yield made
    remove_private_postgres(made)


def test_a_program_that_ends_while_its_database_is_down_exits(server: PrivatePostgres) -> None:
    dsn = server.dsn()
    prefix = f"d{uuid.uuid4().hex[:6]}-"
    proc = _start(DATABASE_DOWN, dsn, prefix)
    assert proc.stdout is not None and proc.stdin is not None
    before = ""
    while (line := proc.stdout.readline()) and line.strip() != "ready":
        before += line
    server.stop()
    proc.stdin.write("stopped\n")
    proc.stdin.flush()
    try:
        out, err = _finish(proc, "database down")
    finally:
        server.start()
    assert out.splitlines()[-1:] == ["exited"], err[-2000:]
    assert "Task was destroyed" not in err, err[-2000:]
    _assert_nothing_lost(dsn, prefix, before + out)


def test_an_agent_on_the_sync_loop_exits_quietly(postgres_dsn: str) -> None:
    out, err = _finish(_start(RUN_SYNC, postgres_dsn), "run_sync")
    assert out.splitlines()[-1:] == ["exited"], err[-2000:]
    assert err == "", f"the program printed at its end: {err[-2000:]}"


def test_a_store_serves_one_event_loop_after_another(postgres_dsn: str) -> None:
    out, err = _finish(_start(TWO_LOOPS, postgres_dsn), "two loops")
    assert out.splitlines() == ["8", "exited"], err[-2000:]
    assert err == "", err[-2000:]


async def test_a_store_in_use_on_another_running_loop_is_refused(postgres_dsn: str) -> None:
    store = PostgresThreadStore(postgres_dsn)
    await store.load("t")  # its connections are this loop's now

    async def load_there() -> str:
        try:
            await store.load("t")
        except ConfigurationError as exc:
            return str(exc)
        return "loaded"

    with ThreadPoolExecutor(1) as pool:
        said = await asyncio.wrap_future(pool.submit(asyncio.run, load_there()))
    assert "in use on another event loop" in said and "one store per loop" in said, said
    assert await store.load("t") == []
    await store.aclose()
