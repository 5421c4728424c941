"""Clients that asked for a whole answer (no stream) and leave before it comes: their
runs are cancelled too, as a stream's are, on the OpenAI route and A2A's SendMessage.

Without this, a client that gave up (its own timeout, then a retry) left its run going on
the server, paying for model calls nobody would read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
from starlette.applications import Starlette

from locus.agent import Agent
from locus.emulator import Emulator
from locus.serve import create_app
from tests.integration.serve.conftest import ServerThread, wait_until
from tests.integration.serve.emulator_agent import model

CLIENTS = 20
COUNT = "Count from 1 to 5, separated by commas."


def _request(kind: int, index: int) -> tuple[str, dict[str, Any]]:
    body: dict[str, Any]
    if kind == 0:
        body = {"model": "adder", "messages": [{"role": "user", "content": COUNT}]}
        return "/v1/chat/completions", body
    message: dict[str, Any] = {
        "messageId": f"m{index}",
        "role": "ROLE_USER",
        "parts": [{"text": COUNT}],
    }
    body = {"jsonrpc": "2.0", "id": index, "method": "SendMessage", "params": {"message": message}}
    return "/a2a/adder", body


async def _ask_and_give_up(url: str, kind: int) -> int:
    """Each client waits 1 s for an answer that takes ~10 s, then closes its connection."""
    gave_up = 0
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=1.0) as client:

        async def one(index: int) -> None:
            nonlocal gave_up
            path, body = _request(kind, index)
            try:
                await client.post(url + path, json=body)
            except httpx.ReadTimeout:
                gave_up += 1

        await asyncio.gather(*(one(i) for i in range(CLIENTS)))
    return gave_up


def test_clients_that_leave_before_a_whole_answer_cancel_their_runs(
    emu: Emulator, serve: Callable[[Starlette], ServerThread]
) -> None:
    agent = Agent(model(emu.info), name="adder", description="Counts.")
    server = serve(create_app({"adder": agent}, max_concurrent_per_client=2 * CLIENTS))
    emu.set_latency(latency=0.0, chunk_delay=2.0)  # ~10 s per answer; the clients leave at 1 s
    state = server.state
    for kind in (0, 1):  # the OpenAI route, then A2A
        assert asyncio.run(_ask_and_give_up(server.url, kind)) == CLIENTS
        assert wait_until(lambda: state.active_runs == 0), state
        assert state.runs_cancelled == (kind + 1) * CLIENTS, state  # none ran on
    assert state.runs_started == 2 * CLIENTS
    assert wait_until(lambda: server.connections == 0), server.connections
    assert not agent._config.active  # the agent holds no run in flight
