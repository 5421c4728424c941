"""Clients that go away mid-answer: their runs are cancelled and nothing stays open.

100 streaming clients each read the first words of a slow answer (the emulator waits
between stream events), then close their connection. The server's own counters, the
agent's runs in flight, the tasks on the server's loop and uvicorn's connections all
return to where they were.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
from starlette.applications import Starlette

from locus.agent import Agent
from locus.emulator import Emulator
from locus.serve import create_app
from tests.integration.serve.conftest import ServerThread, wait_until
from tests.integration.serve.emulator_agent import model

CLIENTS = 100
COUNT = "Count from 1 to 5, separated by commas."


async def _read_first_words_and_leave(client: httpx.AsyncClient, url: str, kind: str) -> str:
    if kind == "openai":
        body = {"model": "adder", "stream": True, "messages": [{"role": "user", "content": COUNT}]}
        path, wanted = "/v1/chat/completions", '"content": "1'
    else:
        message = {"id": "m", "role": "user", "content": COUNT}
        body = {"threadId": f"t-{id(client)}", "runId": "r", "messages": [message]}
        path, wanted = "/v1/agents/adder/runs", "TEXT_MESSAGE_CONTENT"
    async with client.stream("POST", url + path, json=body) as response:
        async for line in response.aiter_lines():
            if wanted in line:
                return line  # leaving the block closes the connection mid-stream
    raise AssertionError("the stream ended before its first words")


async def _disconnect_many(url: str, kind: str) -> list[str]:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        return await asyncio.gather(
            *(_read_first_words_and_leave(client, url, kind) for _ in range(CLIENTS))
        )


def test_100_clients_leaving_mid_answer_leave_nothing_behind(
    emu: Emulator, serve: Callable[[Starlette], ServerThread]
) -> None:
    agent = Agent(model(emu.info))  # no tools: the emulator counts, in slow deltas
    server = serve(create_app({"adder": agent}, max_concurrent_per_client=CLIENTS))
    baseline_tasks = server.tasks()
    emu.set_latency(latency=0.0, chunk_delay=2.0)  # ~8 s per answer: the clients leave at 1
    for kind in ("openai", "agui"):
        lines = asyncio.run(_disconnect_many(server.url, kind))
        assert len(lines) == CLIENTS
        if kind == "agui":
            assert json.loads(lines[0][6:])["delta"].startswith("1")
    state = server.state
    assert wait_until(lambda: state.active_runs == 0 and state.active_streams == 0), state
    assert state.runs_started == 2 * CLIENTS
    assert state.runs_cancelled == 2 * CLIENTS  # every run was cancelled, none ran on
    assert wait_until(lambda: server.connections == 0), server.connections
    assert wait_until(lambda: server.tasks() <= baseline_tasks), server.tasks()
    assert not agent._config.active  # the agent holds no run in flight
    assert state.snapshot()["paused_runs"] == 0
