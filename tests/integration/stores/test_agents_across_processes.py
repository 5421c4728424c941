"""Agents in two processes share a thread through SQLite and PostgreSQL (issue 18's done-when)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from locus.stores import open_thread_store
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
    await made.list_threads()  # the schema exists before the processes start
    yield made
    await made.aclose()


def _agents(url: str, name: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.stores._agent_proc", url, "t", name, str(count)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> list[str]:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return out.splitlines()


async def test_a_second_process_continues_the_thread(url: str, store: Any) -> None:
    assert _finish(_agents(url, "first", 1)) == ["first:0 saw 0"]
    assert _finish(_agents(url, "second", 1)) == ["second:0 saw 4"]
    stored = await store.load("t")
    assert [m.content for m in stored if m.role == "user"] == ["first:0", "second:0"]
    assert [m.role for m in stored] == ["user", "assistant", "tool", "assistant"] * 2
    assert stored[1].tool_calls[0].id == stored[2].tool_call_id == "first:0-call"


@pytest.mark.slow
async def test_two_processes_run_50_turns_each_on_one_thread(url: str, store: Any) -> None:
    procs = [_agents(url, name, 50) for name in ("A", "B")]
    for proc in procs:
        _finish(proc)
    stored = await store.load("t")
    assert len(stored) == 400
    seen = {"A": 0, "B": 0}
    for k in range(100):
        user, call, result, final = stored[4 * k : 4 * k + 4]
        name, i = (user.content or "").split(":")
        assert int(i) == seen[name]
        seen[name] += 1
        assert call.tool_calls[0].id == result.tool_call_id == f"{user.content}-call"
        # every run saw the whole thread before it: no run lost another's turn
        assert final.content == f"{user.content} saw {4 * k}"
    assert seen == {"A": 50, "B": 50}
