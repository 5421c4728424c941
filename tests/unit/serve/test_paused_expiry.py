"""``paused_ttl``: a thread-less completion's parked run is removed once it has waited
that long (by the record's own time, on access and by sweeps, with no timer per run);
runs paused on a user's named thread never expire. An injected clock, no sleeping."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.applications import Starlette

from locus.agent import Agent
from locus.core.errors import ConfigurationError
from locus.serve import create_app
from locus.serve._cli import _options, build_parser
from locus.serve._paused import PARKED_AT_KEY, PAUSED_KEY
from locus.stores import InMemoryThreadStore
from locus.testing import FunctionModel
from tests.unit.serve.conftest import AppClient
from tests.unit.serve.test_approvals import TwoMethodStore, delete_file, deleter, ran, twice

TTL = 3_600.0
START = 1_800_000_000.0
PROMPT = {"model": "ops", "messages": [{"role": "user", "content": "delete /tmp/x"}]}
APPROVE = {"approvals": {"call-9": {"approved": True}}}


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def _agent(**options: Any) -> Agent:
    return Agent(FunctionModel(deleter), tools=[delete_file], **options)


def _app(agent: Agent | None = None, clock: Clock | None = None) -> tuple[Starlette, Clock]:
    ran.clear()
    app = create_app({"ops": agent or _agent()}, paused_ttl=TTL)
    clock = clock or Clock()
    app.state.served.clock = clock
    return app, clock


def _store(app: Starlette) -> InMemoryThreadStore:
    store = app.state.served.agents.get("ops").thread_store
    assert isinstance(store, InMemoryThreadStore)
    return store


async def _park(http: Any) -> str:
    body = (await http.post("/v1/chat/completions", json=PROMPT)).json()
    assert body["locus"]["stop_reason"] == "awaiting_approval"
    run_id: str = body["locus"]["run_id"]
    return run_id


def _approve(run_id: str, call_id: str = "call-9") -> tuple[str, dict[str, Any]]:
    return f"/v1/agents/ops/runs/{run_id}/approvals", {"approvals": {call_id: {"approved": True}}}


async def test_a_parked_run_is_approved_within_its_ttl_and_refused_with_410_after(
    client: AppClient,
) -> None:
    app, clock = _app()
    http = client(app)
    store = _store(app)
    in_time, late = await _park(http), await _park(http)
    threads = await store.list_threads()
    assert len(threads) == 2
    assert [(await store.get_metadata(t))[PARKED_AT_KEY] for t in threads] == [START, START]
    clock.now = START + TTL  # exactly the TTL: still waiting
    assert (await http.post(*_approve(in_time)[:1], json=_approve(in_time)[1])).status_code == 200
    assert ran == ["/tmp/x"]
    clock.now = START + TTL + 1
    url, decision = _approve(late)
    refused = await http.post(url, json=decision)
    assert refused.status_code == 410
    error = refused.json()["error"]
    assert error["code"] == "paused_run_expired"
    assert "expired: it waited over 3600 s for approval" in error["message"]
    assert ran == ["/tmp/x"] and await store.list_threads() == []  # removed, never run
    again = await http.post(url, json=decision)
    assert again.status_code == 410 and "is gone" in again.json()["error"]["message"]


async def test_requests_sweep_expired_parked_runs_that_nobody_approves(
    client: AppClient,
) -> None:
    app, clock = _app()
    http = client(app)
    store = _store(app)
    for _ in range(3):
        await _park(http)
    clock.now = START + TTL / 2
    fresh = await _park(http)  # half the TTL: a sweep is due, and removes nothing
    assert len(await store.list_threads()) == 4
    clock.now = START + TTL + 1
    newest = await _park(http)  # the next park sweeps: the first three are removed
    left = await store.list_threads()
    assert len(left) == 2
    for run_id in (fresh, newest):
        url, decision = _approve(run_id)
        assert (await http.post(url, json=decision)).status_code == 200
    assert ran == ["/tmp/x", "/tmp/x"] and await store.list_threads() == []


async def test_runs_paused_on_a_named_thread_never_expire(client: AppClient) -> None:
    app, clock = _app()
    http = client(app)
    agui = {"threadId": "t1", "messages": [{"role": "user", "content": "delete /tmp/x"}]}
    await http.post("/v1/agents/ops/runs", json=agui)
    named = (await http.post("/v1/chat/completions", json={**PROMPT, "thread_id": "u1"})).json()
    clock.now = START + 100 * TTL
    await _park(http)  # sweeps
    url, decision = _approve(named["locus"]["run_id"])
    assert (await http.post(url, json=decision)).status_code == 200
    resume = [{"interruptId": "call-9", "status": "resolved", "payload": {"approved": True}}]
    resumed = await http.post("/v1/agents/ops/runs", json={"threadId": "t1", "resume": resume})
    assert resumed.status_code == 200 and ran == ["/tmp/x", "/tmp/x"]


async def test_the_records_own_time_decides_across_servers_sharing_a_store(
    client: AppClient,
) -> None:
    """A replica that did not park a run sweeps it by the time the record holds: not
    before the TTL, and after it; the replica that parked it then answers 410."""
    agent = _agent()
    first, first_clock = _app(agent)
    second, second_clock = _app(agent)
    store = _store(first)
    run_id = await _park(client(first))
    second_clock.now = START + TTL / 2
    await _park(client(second))  # the second's own park sweeps: the first's run waits
    assert len(await store.list_threads()) == 2
    second_clock.now = START + TTL + 1
    await client(second).get("/v1/threads")  # (reads are no sweep)
    assert len(await store.list_threads()) == 2
    await _park(client(second))  # sweeps: the first's run expired, the second's not
    assert len(await store.list_threads()) == 2
    first_clock.now = START + TTL + 1
    url, decision = _approve(run_id)
    refused = await client(first).post(url, json=decision)
    assert refused.status_code == 410 and ran == []
    assert "expired after 3600 s without approval" in refused.json()["error"]["message"]


async def test_the_lifespan_sweeps_periodically_and_stops_at_shutdown(client: AppClient) -> None:
    app, clock = _app()
    app.state.served.sweep_every = 0.0  # (each turn of the loop: no waiting in the test)
    store = _store(app)
    async with app.router.lifespan_context(app):
        await _park(client(app))
        clock.now = START + TTL + 1
        for _ in range(1_000):
            if not await store.list_threads():
                break
            await asyncio.sleep(0)
        assert await store.list_threads() == []
    tasks = [t for t in asyncio.all_tasks() if "sweeping" in repr(t.get_coro())]
    assert tasks == []


async def test_a_parked_run_without_a_time_is_given_one_by_the_first_sweep(
    client: AppClient,
) -> None:
    """A run parked by a server before ``paused_ttl`` has no time: it expires a TTL after
    the first sweep that sees it."""
    app, clock = _app()
    http = client(app)
    store = _store(app)
    run_id = await _park(http)
    (thread,) = await store.list_threads()
    metadata = await store.get_metadata(thread)
    await store.set_metadata(thread, {PAUSED_KEY: metadata[PAUSED_KEY]})
    clock.now = START + 10 * TTL
    await _park(http)  # sweeps: stamps the old one now
    assert (await store.get_metadata(thread))[PARKED_AT_KEY] == START + 10 * TTL
    clock.now = START + 11 * TTL + 1
    url, decision = _approve(run_id)
    assert (await http.post(url, json=decision)).status_code == 410


async def test_a_run_that_pauses_again_is_parked_anew(client: AppClient) -> None:
    app, clock = _app(Agent(FunctionModel(twice), tools=[delete_file]))
    http = client(app)
    payload = {"model": "ops", "messages": [{"role": "user", "content": "delete a and b"}]}
    first = (await http.post("/v1/chat/completions", json=payload)).json()["locus"]["run_id"]
    clock.now = START + TTL - 1
    url, decision = _approve(first, "call-a")
    events = (await http.post(url, json=decision)).text
    second = events.rsplit('"runId":"', 1)[1].split('"', 1)[0]
    assert second.startswith("run.c.ops.")
    clock.now = START + TTL + 10  # past the first park's TTL, within the second's
    url, decision = _approve(second, "call-b")
    assert (await http.post(url, json=decision)).status_code == 200
    assert ran == ["/tmp/a", "/tmp/b"]


async def test_a_paused_run_held_in_memory_expires_too(client: AppClient) -> None:
    app, clock = _app(_agent(thread_store=TwoMethodStore()))
    http = client(app)
    kept, swept = await _park(http), await _park(http)
    assert kept.startswith("run-") and (await http.get("/v1/status")).json()["paused_runs"] == 2
    clock.now = START + TTL + 1
    url, decision = _approve(kept)
    assert (await http.post(url, json=decision)).status_code == 410  # this request swept
    assert (await http.get("/v1/status")).json()["paused_runs"] == 0
    url, decision = _approve(swept)
    assert (await http.post(url, json=decision)).status_code == 404
    assert ran == []


def test_the_ttl_is_an_option_of_the_app_and_of_the_cli() -> None:
    for bad in (0, -1.0, float("inf"), float("nan"), "1"):
        with pytest.raises(ConfigurationError, match="paused_ttl"):
            create_app(_agent(), paused_ttl=bad)  # type: ignore[arg-type]
    assert create_app(_agent()).state.served.paused_ttl == 86_400.0
    args = build_parser().parse_args(["m:a", "--paused-ttl", "90"])
    assert _options(args)["paused_ttl"] == 90.0
    assert _options(build_parser().parse_args(["m:a"]))["paused_ttl"] == 86_400.0


async def test_an_agui_resume_on_an_expired_parked_thread_gets_410(client: AppClient) -> None:
    """The parked run's thread id is in the approval stream's RUN_STARTED: an AG-UI
    ``resume`` sent there directly must meet the same expiry as an approval by run id."""
    app, clock = _app()
    http = client(app)
    store = _store(app)
    await _park(http)
    (thread_id,) = await store.list_threads()
    resume = {
        "threadId": thread_id,
        "resume": [{"interruptId": "call-9", "status": "resolved", "payload": {"approved": True}}],
    }
    clock.now = START + TTL + 1
    refused = await http.post("/v1/agents/ops/runs", json=resume)
    assert refused.status_code == 410
    assert refused.json()["error"]["code"] == "paused_run_expired"
    assert ran == [] and await store.list_threads() == []  # removed, never run
