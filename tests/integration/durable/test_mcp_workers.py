"""Durable runs of agents whose tools come from a real MCP server (``mcp_server.py``, the
``mcp`` SDK's server), on a real Temporal dev server, workers in their own processes
(``locus worker``) and the model on the emulator over HTTP: the server's tools run over
stdio (the worker's subprocess) and over streamable HTTP (with a bearer token the server
checks); a worker killed during an MCP call is replaced and the call runs again on the new
worker's own connection; a server that dies mid-call is a tool error the model reads; a
gated toolset tool waits for a signal; no token or secret enters the history; a worker
that cannot reach the server fails the run with ``MCPConnectionError``."""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.client import Client

from locus.durable.temporal import DurableRun, start_run
from locus.emulator import Emulator
from locus.mcp import MCPConnectionError
from tests.deadlines import read_line, wait_until, within
from tests.integration.durable._decide import in_another_process
from tests.integration.durable.agents import MCP_SERVER
from tests.integration.durable.conftest import Workers, tool_log
from tests.integration.durable.test_worker_crash import history_text

RULES = Path(__file__).parent / "data" / "mcp_rules.json"
AGENTS = "tests.integration.durable.agents"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """The emulator with the MCP rules (``data/mcp_rules.json``), for ``env``."""
    with Emulator(rules=str(RULES)) as emulator:
        yield emulator


@pytest.fixture
def secrets(env: dict[str, str]) -> dict[str, str]:
    """A bearer token for the HTTP server and a secret for the stdio server's environment,
    fresh for each test, in the workers' environment."""
    made = {"LOCUS_MCP_TOKEN": f"tok-{uuid.uuid4().hex}", "LOCUS_MCP_SECRET": uuid.uuid4().hex}
    env.update(made)
    return made


@pytest.fixture
def http_mcp(env: dict[str, str], secrets: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """The MCP server over streamable HTTP; its URL is ``LOCUS_MCP_URL`` for the workers."""
    process = subprocess.Popen(
        [sys.executable, MCP_SERVER, "http"], env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    port = read_line(process.stdout, "the MCP test server prints its port").strip()
    assert port.isdigit(), f"the MCP test server did not start ({port!r})"
    env["LOCUS_MCP_URL"] = f"http://127.0.0.1:{port}/mcp"
    yield process
    process.kill()
    process.wait()
    process.stdout.close()


@pytest.fixture(params=["stdio", "http"])
def shop(request: pytest.FixtureRequest, secrets: dict[str, str]) -> str:
    """The spec of the MCP agent over each transport (the HTTP server started for it)."""
    if request.param == "http":
        request.getfixturevalue("http_mcp")
    return f"{AGENTS}:shop_{request.param}"


async def test_a_durable_run_calls_an_mcp_tool(
    client: Client, workers: Workers, env: dict[str, str], task_queue: str, shop: str
) -> None:
    workers.start(shop)
    started = await start_run(client, shop, "How many lamps?", task_queue=task_queue)
    result = await within(DurableRun(client, started.id).result(), "the run's result")
    assert result.text == "Done: 12 lamps"
    assert tool_log(env) == ["stock lamp"]
    weather = await start_run(client, shop, "Weather in Lisbon?", task_queue=task_queue)
    told = await within(weather.result(), "the run's result")
    assert told.text == 'Done: {"city":"Lisbon","celsius":21}'


async def test_a_worker_killed_during_an_mcp_call_is_replaced(
    client: Client, workers: Workers, env: dict[str, str], task_queue: str, shop: str
) -> None:
    first = workers.start(shop)
    started = await start_run(
        client, shop, "Count and hold the lamp.", task_queue=task_queue, heartbeat_timeout=2.0
    )
    await wait_until(lambda: "hold-started the lamp" in tool_log(env), "hold started")
    assert tool_log(env) == ["stock lamp", "hold-started the lamp"]
    workers.kill(first)
    Path(env["LOCUS_RELEASE"]).touch()
    workers.start(shop)
    result = await within(started.result(), "the run's result")
    assert result.text == "Done: 12 lamps, held the lamp"
    log = tool_log(env)
    assert log[:2] == ["stock lamp", "hold-started the lamp"]  # before the kill
    # the completed MCP call did not run again; the interrupted one ran again (at least
    # once: an attempt slower than the 2 s heartbeat timeout is tried again, and an HTTP
    # server may finish the killed worker's call too), and finished
    assert set(log[2:]) == {"hold-started the lamp", "hold-done the lamp"}, log
    assert log[-1] == "hold-done the lamp"
    assert result.metrics.tool_calls == 2


async def test_a_server_that_dies_mid_call_is_a_tool_error_and_the_next_call_reconnects(
    client: Client, workers: Workers, env: dict[str, str], task_queue: str
) -> None:
    shop = f"{AGENTS}:shop_stdio"
    workers.start(shop)
    crashed = await start_run(client, shop, "Crash the server.", task_queue=task_queue)
    result = await within(crashed.result(), "the run's result")
    assert result.text.startswith("Done: Error: the connection to MCP server")
    assert "broke during 'call tool 'crash''" in result.text
    assert result.stop_reason == "complete"  # the model read the error; no retry of the call
    assert tool_log(env) == ["crash"]
    again = await start_run(client, shop, "How many lamps?", task_queue=task_queue)
    assert (await within(again.result(), "the run's result")).text == "Done: 12 lamps"


@pytest.mark.parametrize("decision", ["approve", "deny"])
async def test_a_gated_toolset_tool_waits_for_a_decision_from_another_process(
    client: Client,
    workers: Workers,
    env: dict[str, str],
    task_queue: str,
    temporal_address: str,
    decision: str,
) -> None:
    shop = f"{AGENTS}:shop_gated"
    workers.start(shop)
    started = await start_run(client, shop, "Ship 3 lamps.", task_queue=task_queue)
    pending = await wait_until(started.pending, "a call of the run waits for a decision")
    assert [(p.tool, p.arguments) for p in pending] == [
        ("wh_ship", {"item": "lamp", "quantity": 3})
    ]
    assert tool_log(env) == []
    in_another_process(temporal_address, started.id, pending[0].id, decision, env)
    result = await within(started.result(), "the run's result")
    if decision == "approve":
        assert result.text == "Done: shipped 3 lamps"
        assert tool_log(env) == ["ship lamp 3"]
    else:
        assert result.text.startswith("Done: Not run: a person denied this call")
        assert tool_log(env) == []


async def test_no_mcp_token_or_secret_enters_the_history(
    client: Client,
    workers: Workers,
    env: dict[str, str],
    task_queue: str,
    secrets: dict[str, str],
    http_mcp: subprocess.Popen[str],
) -> None:
    for transport in ("http", "stdio"):
        shop = f"{AGENTS}:shop_{transport}"
        workers.start(shop)
        started = await start_run(client, shop, "How many lamps?", task_queue=task_queue)
        result = await within(started.result(), "the run's result")
        assert result.text == "Done: 12 lamps"  # the server checked the bearer token
        history = await history_text(client, started.id)
        assert "wh_stock" in history and "12 lamps" in history  # the listing and the call
        found = [value for value in secrets.values() if value in history]
        assert found == []
        assert "bearer" not in history.lower() and "authorization" not in history.lower()
        workers.stop_all()


async def test_a_worker_that_cannot_reach_the_server_fails_the_run_with_a_typed_error(
    client: Client, workers: Workers, env: dict[str, str], task_queue: str, secrets: dict[str, str]
) -> None:
    env["LOCUS_MCP_URL"] = f"http://127.0.0.1:{closed_port()}/mcp?key=in-the-url"
    workers.start(f"{AGENTS}:shop_http")
    started = await start_run(client, f"{AGENTS}:shop_http", "How many?", task_queue=task_queue)
    with pytest.raises(MCPConnectionError) as caught:
        await within(started.result(), "the run's result")
    error = caught.value
    assert str(error).startswith("could not connect to MCP server http://127.0.0.1:")
    assert error.server.startswith("MCP server http://127.0.0.1:")
    assert "in-the-url" not in str(error) and secrets["LOCUS_MCP_TOKEN"] not in str(error)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
