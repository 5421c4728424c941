"""Hostile and broken MCP servers over stdio (``hostile_server.py``, ``raw_server.py``): one
that exits at startup, never answers, crashes or closes its pipe mid-call, floods stderr,
answers huge or malformed results, lists tools that are not valid; and runs cancelled
while a call or a connection is in flight. Each failure is a typed error that says why,
and nothing is left running."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from locus.agent import Agent
from locus.core.errors import ConfigurationError, ToolExecutionError, ToolTimeoutError
from locus.core.messages import ToolCall
from locus.mcp import MCPConnectionError, MCPServerStdio
from locus.testing import ScriptedModel
from locus.tools import DEFAULT_MAX_RESULT_CHARS

HERE = Path(__file__).parent
HOSTILE = str(HERE / "hostile_server.py")
RAW = str(HERE / "raw_server.py")


def hostile(mode: str, *extra: str, **options: object) -> MCPServerStdio:
    return MCPServerStdio(sys.executable, [HOSTILE, mode, *extra], **options)  # type: ignore[arg-type]


def raw(mode: str, **options: object) -> MCPServerStdio:
    return MCPServerStdio(sys.executable, [RAW, mode], **options)  # type: ignore[arg-type]


def running(marker: str) -> list[int]:
    """Live (not zombie) processes whose command line holds ``marker``."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if marker.encode() not in cmdline.read():
                    continue
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(pid))
        except OSError:
            continue
    return found


async def until(condition: object, seconds: float = 20.0) -> None:
    """Wait (polling) until ``condition()`` is true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


@pytest.fixture
async def serve() -> AsyncIterator[MCPServerStdio]:
    server = hostile("serve", timeout=30)
    yield server
    await server.aclose()


async def test_a_server_that_exits_at_startup_says_why_with_its_stderr() -> None:
    server = hostile("exit")
    with pytest.raises(MCPConnectionError) as caught:
        await server.list_tools()
    text = str(caught.value)
    assert "fatal: ORDERS_DB_URL is not set; export it and start again" in text
    assert "before the MCP handshake" in text and "run the command yourself" in text
    assert len(text) < 3000  # the tail of a long stderr, not all of it
    assert caught.value.stderr is not None
    assert caught.value.stderr.endswith("export it and start again")


async def test_a_restart_failing_during_a_call_keeps_its_stderr_from_the_model(
    tmp_path: Path,
) -> None:
    server = hostile("once", str(tmp_path / "started"))
    try:
        with pytest.raises(MCPConnectionError, match="broke during"):
            await server.call_tool("crash")
        with pytest.raises(MCPConnectionError) as caught:
            await server.call_tool("pid")  # the model reads this text: no stderr in it
        assert "exited before the MCP handshake" in str(caught.value)
        assert "ORDERS_DB_URL" not in str(caught.value) and ".stderr" in str(caught.value)
        assert caught.value.stderr is not None and "ORDERS_DB_URL" in caught.value.stderr
    finally:
        await server.aclose()


async def test_a_server_that_fails_at_run_start_fails_the_run_with_why() -> None:
    agent = Agent(ScriptedModel(["never asked"]), tools=[hostile("exit")])
    with pytest.raises(MCPConnectionError, match="ORDERS_DB_URL is not set"):
        await agent.arun("hello")
    await agent.aclose()


async def test_two_servers_with_one_tool_name_need_a_prefix() -> None:
    first, second = hostile("serve"), hostile("serve")
    async with Agent(ScriptedModel(["ok"]), tools=[first, second]) as agent:
        with pytest.raises(ConfigurationError, match=r"two tools are named 'crash'.*prefix="):
            await agent.arun("hello")
    second.prefix = "b_"
    second._tools = None
    async with Agent(ScriptedModel(["ok"]), tools=[first, second, _local_pid]) as agent:
        with pytest.raises(ConfigurationError, match="two tools are named 'pid'"):
            await agent.arun("hello")


def _local_pid() -> str:
    """A local tool named like a server's."""
    return "local"


_local_pid.__name__ = "pid"


async def test_a_command_that_does_not_exist_says_so() -> None:
    server = MCPServerStdio("/nonexistent/mcp-server")
    with pytest.raises(MCPConnectionError, match=r"not found.*check the command"):
        await server.list_tools()


async def test_a_server_that_never_answers_the_handshake_times_out_and_is_stopped() -> None:
    marker = uuid.uuid4().hex
    server = hostile("silent", marker, connect_timeout=1)
    tasks = asyncio.all_tasks()
    started = time.monotonic()
    with pytest.raises(MCPConnectionError) as caught:
        await server.list_tools()
    elapsed = time.monotonic() - started
    assert "did not finish the MCP handshake within 1 s" in str(caught.value)
    assert "connect_timeout=" in str(caught.value)
    assert elapsed < 8, elapsed  # the timeout, and the SDK's bounded stop of the process
    assert running(marker) == []
    await until(lambda: asyncio.all_tasks() <= tasks, 5)  # a leaked task stays: fails


async def test_a_run_cancelled_while_connecting_leaves_no_process_nor_task() -> None:
    marker = uuid.uuid4().hex
    server = hostile("silent", marker, connect_timeout=None)
    tasks = asyncio.all_tasks()
    listing = asyncio.create_task(server.list_tools())
    await until(lambda: running(marker))
    listing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await listing
    assert running(marker) == []
    await until(lambda: asyncio.all_tasks() <= tasks, 5)  # a leaked task stays: fails
    assert server._session is None


async def test_a_crash_mid_call_carries_the_stderr_tail(serve: MCPServerStdio) -> None:
    await serve.call_tool("pid")
    with pytest.raises(MCPConnectionError, match="broke during") as caught:
        await serve.call_tool("crash")
    assert caught.value.stderr is not None
    assert caught.value.stderr.endswith("KeyError: 'ORDERS_DB_URL'")


async def test_a_server_closing_its_stdout_mid_call_ends_the_call(serve: MCPServerStdio) -> None:
    first = await serve.call_tool("pid")
    with pytest.raises(MCPConnectionError, match="broke during"):
        await asyncio.wait_for(serve.call_tool("close_stdout"), 20)
    assert await serve.call_tool("pid") != first


async def test_a_server_flooding_stderr_does_not_stall_and_only_its_tail_is_kept(
    serve: MCPServerStdio,
) -> None:
    assert await serve.call_tool("flood") == "flooded"  # 2 MB at start, 4 MB in the call
    session = serve._session
    assert session is not None and session.diagnosis is not None
    kept = session.diagnosis.stderr
    assert kept is not None and 0 < len(kept) <= 1500 and set(kept) <= {"x", "\n"}


async def test_a_huge_result_reaches_the_model_truncated(serve: MCPServerStdio) -> None:
    model = ScriptedModel([ToolCall("c1", "huge", {}), "done"])
    async with Agent(model, tools=[serve]) as agent:
        result = await agent.arun("go")
    (message,) = [m for m in result.messages if m.role == "tool"]
    assert message.content is not None
    assert len(message.content) < DEFAULT_MAX_RESULT_CHARS + 200
    assert "truncated" in message.content


async def test_a_cancelled_call_leaves_the_session_usable(serve: MCPServerStdio) -> None:
    pid = await serve.call_tool("pid")
    tasks = asyncio.all_tasks()
    for _ in range(3):
        call = asyncio.create_task(serve.call_tool("hang"))
        await asyncio.sleep(0)  # the call is under way
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
    assert await serve.call_tool("pid") == pid  # the same connection, the same process
    await until(lambda: asyncio.all_tasks() <= tasks, 5)  # a leaked task stays: fails


async def test_a_run_cancelled_during_an_mcp_call_does_not_spoil_the_next_run(
    serve: MCPServerStdio,
) -> None:
    model = ScriptedModel([ToolCall("c1", "hang", {}), ToolCall("c2", "pid", {}), "done"])
    async with Agent(model, tools=[serve]) as agent:
        run = asyncio.create_task(agent.arun("hang"))
        # the model has asked for 'hang' (a cancel while tools were still being listed left
        # the script's first turn to the next run, which then made two calls)
        await until(lambda: model.remaining == 2)
        run.cancel()
        with pytest.raises(BaseException):  # noqa: B017 - cancelled, however the run says it
            await run
        again = await agent.arun("pid")
        (message,) = [m for m in again.messages if m.role == "tool"]
        assert message.content is not None and message.content.isdigit()
        pid = int(message.content)
    assert pid not in running(HOSTILE)  # closed with the agent


async def test_runs_cancelled_during_mcp_calls_again_and_again_never_spoil_the_next() -> None:
    """Eight times: a run cancelled once the model asked for 'hang' raises CancelledError
    (under Python 3.11's wait_for it went on as if the call had timed out), and the next
    run on the same agent calls 'pid' once; closing the agent stops the server each time."""
    marker = uuid.uuid4().hex
    server = hostile("serve", marker, timeout=30)
    pids = set()
    try:
        for attempt in range(8):
            model = ScriptedModel([ToolCall("c1", "hang", {}), ToolCall("c2", "pid", {}), "done"])
            async with Agent(model, tools=[server]) as agent:
                run = asyncio.create_task(agent.arun("hang"))
                await until(_asked_once(model))  # (see the test above)
                run.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await run
                again = await agent.arun("pid")
                (message,) = [m for m in again.messages if m.role == "tool"]
                assert message.content is not None and message.content.isdigit(), attempt
                pids.add(int(message.content))
            assert running(marker) == [], attempt  # closed with the agent
        assert len(pids) == 8
    finally:
        await server.aclose()


def _asked_once(model: ScriptedModel) -> Callable[[], bool]:
    """Whether the model has given its first turn (of three)."""
    return lambda: model.remaining == 2


async def test_closing_twice_and_reusing_after_close(serve: MCPServerStdio) -> None:
    await serve.call_tool("pid")
    await serve.aclose()
    await serve.aclose()
    assert (await serve.call_tool("pid")).isdigit()


async def test_two_runs_share_one_connection_at_once(serve: MCPServerStdio) -> None:
    pids = await asyncio.gather(*(serve.call_tool("pid") for _ in range(8)))
    assert len(set(pids)) == 1


async def test_a_call_that_hangs_is_a_typed_timeout() -> None:
    server = hostile("serve", timeout=0.5)
    try:
        pid = await server.call_tool("pid")
        with pytest.raises(ToolTimeoutError, match=r"within 0\.5 s.*timeout="):
            await server.call_tool("hang")
        assert await server.call_tool("pid") == pid
    finally:
        await server.aclose()


async def test_error_results_with_no_text(serve: MCPServerStdio) -> None:
    with pytest.raises(ToolExecutionError, match=r"reported an error: \[image image/png"):
        await serve.call_tool("image_error")
    with pytest.raises(ToolExecutionError, match=r"reported an error: \(no details\)"):
        await serve.call_tool("empty_error")


async def test_tools_listed_without_a_valid_schema_are_named() -> None:
    server = raw("schemas")
    try:
        with pytest.raises(ConfigurationError) as caught:
            await server.list_tools()
        text = str(caught.value)
        assert "'no_schema'" in text and "'string_schema'" in text and "exclude=" in text
        session = server._session
        assert session is not None and session.alive  # the connection itself is fine
    finally:
        await server.aclose()
    server = raw("schemas", exclude=["no_schema", "string_schema"])
    try:
        (good,) = await server.list_tools()
        assert await good.invoke({}) == "ok"
    finally:
        await server.aclose()


async def test_a_malformed_result_is_an_error_and_keeps_the_connection() -> None:
    server = raw("bad_result")
    try:
        pid = await server.call_tool("pid")
        with pytest.raises(ToolExecutionError) as caught:
            await server.call_tool("bad")
        assert not isinstance(caught.value, MCPConnectionError)
        assert "not a valid MCP result" in str(caught.value)
        assert await server.call_tool("pid") == pid
    finally:
        await server.aclose()


async def test_a_server_logging_on_its_stdout_still_works() -> None:
    server = raw("noisy")  # a log line where only JSON-RPC may go: the SDK skips it
    try:
        assert (await server.call_tool("pid")).isdigit()
    finally:
        await server.aclose()


async def test_tool_names_and_schemas_oci_would_reject() -> None:
    server = hostile("names")
    try:
        with pytest.raises(ConfigurationError) as caught:
            await server.list_tools()
        assert "'bad_properties'" in str(caught.value) and "'bad_required'" in str(caught.value)
        assert "exclude=['bad_properties', 'bad_required']" in str(caught.value)
        server.exclude = frozenset({"bad_properties", "bad_required"})
        with pytest.raises(ConfigurationError, match=r"'files\.read' and 'files/read'"):
            await server.list_tools()
        server.exclude = frozenset({"files/read", "bad_properties", "bad_required"})
        names = [tool.name for tool in await server.list_tools()]
        assert len(names) == len(set(names)) == 5
        assert all(len(name) <= 64 for name in names)
        assert "files_read" in names and "meteo" in names and "good" in names
        long_ones = [name for name in names if name.startswith("aaaa")]
        assert len(long_ones) == 2
        tools = {tool.name: tool for tool in await server.list_tools()}
        assert await tools[long_ones[0]].invoke({}) == f"called {'a' * 70}_one"
    finally:
        await server.aclose()


def test_two_event_loops_at_once_each_keep_their_connection() -> None:
    """Two threads, each with its own loop, using one server object at once: neither
    restarts the other's connection (each loop has its own), and nothing outlives them."""
    marker = uuid.uuid4().hex
    server = hostile("serve", marker, timeout=30)
    seen: dict[int, list[str]] = {}

    def worker(index: int) -> None:
        async def calls() -> list[str]:
            found = []
            for _ in range(5):
                found.append(await server.call_tool("pid"))
                await asyncio.sleep(0.05)  # interleave with the other thread's calls
            return found

        seen[index] = asyncio.run(calls())

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert [len(set(pids)) for pids in seen.values()] == [1, 1]
    assert seen[0][0] != seen[1][0]
    assert running(marker) == []  # each loop's connection ended with its loop


async def test_aclose_while_a_run_is_connecting_leaves_nothing_open() -> None:
    marker = uuid.uuid4().hex
    server = hostile("serve", marker)
    listing = asyncio.create_task(server.list_tools())
    await until(lambda: running(marker))  # started, not yet through its handshake
    await server.aclose()
    with pytest.raises(MCPConnectionError, match="closed"):
        await listing
    assert server._session is None
    await until(lambda: running(marker) == [])


@pytest.mark.parametrize(
    "option",
    [
        {"include": ["pid", "pdi"]},
        {"exclude": ["crahs"]},
        {"requires_approval": ["hang", "crahs"]},  # a typo would run 'crash' unapproved
    ],
)
async def test_names_the_server_does_not_have_are_an_error_not_ignored(
    option: dict[str, list[str]],
) -> None:
    server = hostile("serve", **option)
    try:
        with pytest.raises(ConfigurationError) as caught:
            await server.list_tools()
        (wrong,) = [name for name in next(iter(option.values())) if name not in ("pid", "hang")]
        assert f"{next(iter(option))}=" in str(caught.value) and repr(wrong) in str(caught.value)
        assert "'crash'" in str(caught.value)  # the names it does have
    finally:
        await server.aclose()
