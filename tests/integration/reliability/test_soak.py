"""Soak: 2,000 agent runs, 100 at a time, half streaming, against a faulty emulator process.

Faults (seeded): 10% 429 (half with ``Retry-After``), 5% 503, 2% connection resets in
the middle of an answer, 1% malformed stream events. Runs rotate over an on-demand model
and every DAC endpoint of the catalogue (native, Hermes, Qwen3-Coder XML, Llama JSON
tool calls, and COHERE). Every run must end with the right answer or a typed
``ModelError`` (never a hang, never a foreign exception); no tool call runs twice (each
run's arguments are unique, and the tool counts executions by arguments); every
connection goes back to the pool; memory stays flat.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest

from locus.agent import Agent
from locus.core.errors import LocusError, ModelError, RunTimeoutError
from locus.models.http import RetryPolicy
from locus.models.providers.oci import OCIAuthType, OCIModel
from tests.deadlines import wait_until, within
from tests.integration.reliability._process import EmulatorProcess, emulator_process
from tests.integration.reliability._soak import (
    CompleteOnlyModel,
    RetryCounter,
    RunLog,
    ToolLedger,
    client_socket_count,
    pool_state,
    rss_bytes,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

RUNS, CONCURRENCY, WARM_UP = 2000, 100, 200
RUN_DEADLINE = 30.0
MODEL = "meta.llama-3.3-70b-instruct"
KINDS = ["429"] * 5 + ["429_retry_after"] * 5 + ["503"] * 5 + ["reset_during"] * 2
FAULTS = {"target": "*", "rate": 0.18, "seed": 20261127, "kinds": [*KINDS, "malformed_event"]}
Backend = Literal["httpx", "aiohttp"]
PROMPT = "Use the add_two_numbers tool to add {a} and {b}, then state the result in one sentence."


@pytest.fixture(scope="module")
def faulty_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    state: Path = tmp_path_factory.mktemp("soak-emulator")
    with emulator_process(state) as emulator:
        emulator.admin("faults", FAULTS)
        yield emulator


def build_models(
    emulator: EmulatorProcess, retries: RetryCounter, backend: Backend
) -> list[OCIModel]:
    """One model per target: the on-demand model, then each DAC endpoint."""
    info = emulator.info
    policy = RetryPolicy(
        max_retries=4, deadline=10.0, base_delay=0.01, max_delay=0.05, max_retry_after=0.05,
        sleep=retries,
    )  # fmt: skip
    targets = [(MODEL, None)] + [(e["ocid"], e["api_format"]) for e in info["endpoints"]]
    return [
        OCIModel(
            model_id=model_id,
            api_format=api_format,
            compartment_id=info["compartment_id"],
            profile_name=info["profile"],
            config_file=info["config_file"],
            auth_type=OCIAuthType.API_KEY,
            service_endpoint=info["service_endpoint"],
            retry_policy=policy,
            timeout=10.0,
            stream_grace=0.5,
            http_backend=backend,
        )
        for model_id, api_format in targets
    ]


Agents = list[tuple[Agent, Agent]]


def agents_for(models: list[OCIModel], ledger: ToolLedger) -> Agents:
    """Per model: an agent that streams, and one on the model's non-streaming view."""
    tools = [ledger.tool()]
    return [(Agent(m, tools, max_iterations=4), Agent(CompleteOnlyModel(m), tools)) for m in models]


async def one_run(index: int, agents: Agents, log: RunLog) -> None:
    """Run ``index``: even runs stream, odd runs do not; pairs rotate over the targets."""
    a, b = index, 10_000 + index
    agent = agents[(index // 2) % len(agents)][index % 2]
    started = time.perf_counter()
    try:
        running = agent.arun(PROMPT.format(a=a, b=b), timeout=RUN_DEADLINE)
        result = await within(running, "the run ends by its own deadline", RUN_DEADLINE + 30)
    except LocusError as exc:
        wall = time.perf_counter() - started
        typed = isinstance(exc, ModelError) and exc.result is not None
        problem = None if typed else f"run {index}: {type(exc).__name__}: {exc}"
        log.record(wall, type(exc).__name__, problem)
        return
    except Exception as exc:  # a foreign exception is a bug: record it, fail below
        log.record(time.perf_counter() - started, "foreign", f"run {index}: {exc!r}")
        return
    wall = time.perf_counter() - started
    if f" {a + b}." in result.message and result.stop_reason == "complete":
        log.record(wall, "right answer")
    else:
        log.record(wall, "wrong answer", f"run {index}: {result.message!r}")


async def run_batch(indices: range, agents: Agents, log: RunLog) -> None:
    """Run ``indices`` with ``CONCURRENCY`` workers."""
    queue = iter(indices)

    async def worker() -> None:
        for index in queue:
            await one_run(index, agents, log)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


def pools(models: list[OCIModel]) -> tuple[int, int, int]:
    """(connections, busy, queued) summed over the models' pools."""
    states = [pool_state(m.http_client) for m in models if m.http_client is not None]
    return (sum(s[0] for s in states), sum(s[1] for s in states), sum(s[2] for s in states))


async def settled_pools(models: list[OCIModel]) -> tuple[int, int, int]:
    """``pools()`` once no response is busy and no request queued.

    One full-suite run saw one busy connection and one queued request at the instant the
    runs ended (not seen again in ten runs; cause not established): a close still in flight
    settles, on a loaded machine too, while a leaked response never does and fails the test.
    """
    with contextlib.suppress(AssertionError):  # (the test shows the state, then fails)
        await wait_until(lambda: pools(models)[1:] == (0, 0), "the pools settle", every=0.01)
    return pools(models)


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_soak(
    faulty_emulator: EmulatorProcess, capsys: pytest.CaptureFixture[str], backend: Backend
) -> None:
    retries, ledger, log = RetryCounter(), ToolLedger(), RunLog()
    models = build_models(faulty_emulator, retries, backend)
    agents = agents_for(models, ledger)
    started = time.perf_counter()
    await run_batch(range(WARM_UP), agents, log)
    rss_warm = rss_bytes()
    await run_batch(range(WARM_UP, RUNS), agents, log)
    rss_end = rss_bytes()
    elapsed = time.perf_counter() - started

    connections, busy, queued = await settled_pools(models)
    sockets = client_socket_count(faulty_emulator.port)
    extra = {
        "HTTP backend": backend,
        "models (on-demand + DAC endpoints)": str(len(models)),
        "elapsed (s)": f"{elapsed:.1f}",
        "tool executions": str(sum(ledger.executions.values())),
        "pool connections / busy": f"{connections} / {busy}",
        "sockets open to emulator": str(sockets),
        "RSS after 200 / 2000 (MB)": f"{rss_warm / 2**20:.0f} / {rss_end / 2**20:.0f}",
    }
    with capsys.disabled():
        print("\n" + log.summary(retries.retries, extra))

    assert log.wrong == []
    assert len(log.walls) == RUNS
    assert log.outcomes[RunTimeoutError.__name__] == 0  # no run hung until its deadline
    assert log.outcomes["right answer"] > RUNS * 0.8
    assert retries.retries > RUNS * 0.1  # the faults really were there
    assert set(faulty_emulator.admin("state")["fired"]) == {*KINDS, "malformed_event"}
    assert max(ledger.executions.values()) == 1  # no tool call ran twice
    assert (busy, queued) == (0, 0)  # every response was closed
    assert sockets <= connections  # no socket lives outside the pools
    assert rss_end <= rss_warm * 1.10

    for model in models:
        await model.aclose()
    assert client_socket_count(faulty_emulator.port) == 0
