"""The sync calls of one turn go to the tool threads as one batch and come back with one
wake-up of the loop, yet still behave as concurrent calls: a call that runs long hands
its unstarted siblings to threads of their own, and the results already finished are
not held behind it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from locus.agent import Agent
from locus.core.messages import ToolCall
from locus.testing import ScriptedModel
from locus.tools import ToolExecutor, _threads, tool
from locus.tools._executor import ToolOutcome


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """An event hung tools wait on; always released at the end of the test."""
    event = threading.Event()
    yield event
    event.set()


def _recorder() -> tuple[Any, list[str]]:
    threads: list[str] = []

    @tool
    def note(label: str) -> str:
        """Record the thread this call ran in."""
        threads.append(threading.current_thread().name)
        return label

    return note, threads


async def _run_all(executor: ToolExecutor, calls: list[ToolCall]) -> list[ToolOutcome]:
    async with asyncio.timeout(30):
        return await executor.run_all(calls)


async def test_quick_calls_of_one_turn_share_one_thread_and_one_wake_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_threads, "STEAL_AFTER", 3600.0)  # no call counts as long here
    note, threads = _recorder()
    loop = asyncio.get_running_loop()
    wake_ups: list[object] = []
    plain = loop.call_soon_threadsafe

    def counted(callback: Any, *args: Any, **kwargs: Any) -> Any:
        wake_ups.append(callback)
        return plain(callback, *args, **kwargs)

    monkeypatch.setattr(loop, "call_soon_threadsafe", counted)
    calls = [ToolCall(f"c{i}", "note", {"label": str(i)}) for i in range(5)]
    outcomes = await _run_all(ToolExecutor([note]), calls)
    assert [o.message.text for o in outcomes] == ["0", "1", "2", "3", "4"]
    assert len(threads) == 5 and len(set(threads)) == 1
    assert len(wake_ups) == 1


async def test_a_batch_done_in_time_cancels_its_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_threads, "STEAL_AFTER", 3600.0)  # the check would come far later
    loop = asyncio.get_running_loop()
    timers: list[asyncio.TimerHandle] = []
    plain = loop.call_later

    def recorded(delay: float, callback: Any, *args: Any) -> asyncio.TimerHandle:
        handle = plain(delay, callback, *args)
        timers.append(handle)
        return handle

    monkeypatch.setattr(loop, "call_later", recorded)
    note, _ = _recorder()
    calls = [ToolCall(f"c{i}", "note", {"label": str(i)}) for i in range(3)]
    await _run_all(ToolExecutor([note]), calls)
    assert len(timers) == 1 and timers[0].cancelled()  # no wake-up of the loop for it


async def test_calls_of_one_batch_still_run_at_the_same_time() -> None:
    barrier = threading.Barrier(5, timeout=20)

    @tool
    def meet(label: str) -> str:
        """Wait until all five calls are running (sequential calls would break the barrier)."""
        barrier.wait()
        return label

    calls = [ToolCall(f"c{i}", "meet", {"label": str(i)}) for i in range(5)]
    outcomes = await _run_all(ToolExecutor([meet]), calls)
    assert [o.message.text for o in outcomes] == ["0", "1", "2", "3", "4"]
    assert not any(o.is_error for o in outcomes)


@pytest.mark.parametrize("hung_at", [0, 2, 4])
async def test_a_hung_call_holds_back_neither_its_siblings_nor_their_results(
    gate: threading.Event, hung_at: int
) -> None:
    @tool
    def hang() -> str:
        """Wait on the gate."""
        gate.wait()
        return "late"

    note, _ = _recorder()
    executor = ToolExecutor([hang, note])
    calls = [ToolCall(f"c{i}", "note", {"label": str(i)}) for i in range(5)]
    calls[hung_at] = ToolCall(f"c{hung_at}", "hang", {})
    tasks = [asyncio.create_task(executor.run_one(call)) for call in calls]
    quick = [task for i, task in enumerate(tasks) if i != hung_at]
    async with asyncio.timeout(30):  # the hung call is still running all along
        outcomes = await asyncio.gather(*quick)
    assert [o.message.text for o in outcomes] == [str(i) for i in range(5) if i != hung_at]
    assert not tasks[hung_at].done()
    gate.set()
    async with asyncio.timeout(30):
        assert (await tasks[hung_at]).message.text == "late"


async def test_a_timed_out_call_of_a_batch_leaves_the_others_answered(
    gate: threading.Event,
) -> None:
    @tool(timeout=0.05)
    def hang() -> str:
        """Wait on the gate."""
        gate.wait()
        return "late"

    note, _ = _recorder()
    calls = [ToolCall("a", "note", {"label": "a"}), ToolCall("h", "hang", {})]
    calls.append(ToolCall("b", "note", {"label": "b"}))
    outcomes = await _run_all(ToolExecutor([hang, note]), calls)
    assert [o.message.text for o in outcomes][::2] == ["a", "b"]
    assert "did not finish within 0.05 s" in outcomes[1].message.text


def test_a_tool_heavy_agent_run_answers_every_call_in_order() -> None:
    note, threads = _recorder()
    turns: list[Any] = [
        [ToolCall(f"t{t}c{i}", "note", {"label": f"{t}.{i}"}) for i in range(5)] for t in range(10)
    ]
    result = Agent(ScriptedModel([*turns, "done"]), tools=[note], max_iterations=11).run_sync("go")
    answers = [m.text for m in result.messages if m.role == "tool"]
    assert answers == [f"{t}.{i}" for t in range(10) for i in range(5)]
    assert result.message == "done" and len(threads) == 50
