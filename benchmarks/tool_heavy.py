"""A tool-heavy run: 20 tools offered, 5 parallel tool calls per turn for 10 turns, then
the answer, against the same 11 requests sent by hand.

The emulator is started with the rules file from ``write_rules``: a script of one
``times: 10`` rule (five tool calls) and one ``times: 1`` rule (the answer) per run,
in order. Rules with ``times`` fire in file order, so each run (the agent's or the
raw sequence's) consumes exactly its own pair, as long as runs never overlap: both
sides run one at a time, and each must see its 50 tool calls and its answer.

The agent uses the default model settings and plain sync tools (run in tool threads).
The raw side sends the 11 request bodies recorded on the wire from an agent run, signed
with ``RequestSigner`` over a bare ``httpx.AsyncClient`` (``RawClient``), reading each
answer whole and executing nothing. Like ``overhead``: interleaved runs, each block of
``runs`` gives one ratio of medians (wall time); the CPU time of this process is
reported beside it (the emulator's work is in the wall time of both sides alike).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any, Literal

from benchmarks._scenario import RawClient, RecordingTransport, build_model
from benchmarks._stats import figure
from locus.agent import Agent, AgentResult
from locus.models.providers.oci import OCIModel
from locus.tools import Tool, tool

__all__ = [
    "CALLS_PER_TURN",
    "MARKER",
    "PROMPT",
    "TOOLS",
    "TURNS",
    "build_agent",
    "measure",
    "sequences_needed",
    "write_rules",
]

MARKER = "locus-bench-tools"
PROMPT = f"{MARKER}: check the orders, the weather and the docs, then summarise."
TURNS = 10
CALLS_PER_TURN = 5
ANSWER = "All checks are done: every order ships on time and the weather is fine."


def _search_docs(query: str, limit: int = 5) -> list[str]:
    """Search the documentation.

    Args:
        query: Words to look for.
        limit: How many titles to return at most.
    """
    return [f"{query} #{i}" for i in range(min(limit, 3))]


def _get_weather(city: str, unit: Literal["c", "f"] = "c") -> dict[str, Any]:
    """The current weather in a city.

    Args:
        city: The city's name.
        unit: Celsius (c) or Fahrenheit (f).
    """
    return {"city": city, "temperature": 21 if unit == "c" else 70, "sky": "clear"}


def _convert_amount(amount: float, currency: str, rate: float = 1.0) -> float:
    """Convert an amount of money to another currency.

    Args:
        amount: The amount to convert.
        currency: The target currency's ISO code.
        rate: The exchange rate to apply.
    """
    return round(amount * rate, 2)


def _lookup_order(order_id: str, include_items: bool = False) -> dict[str, Any]:
    """An order's status.

    Args:
        order_id: The order's identifier.
        include_items: Whether to list the order's items too.
    """
    items = ["widget", "gadget"] if include_items else []
    return {"order_id": order_id, "status": "shipped", "items": items}


_KINDS: tuple[tuple[str, Any, dict[str, Any]], ...] = (
    ("search_docs", _search_docs, {"query": "rate limits", "limit": 3}),
    ("get_weather", _get_weather, {"city": "Chicago", "unit": "c"}),
    ("convert_amount", _convert_amount, {"amount": 129.5, "currency": "EUR", "rate": 0.92}),
    ("lookup_order", _lookup_order, {"order_id": "A-1042", "include_items": True}),
)

TOOLS: tuple[Tool[..., Any], ...] = tuple(
    tool(name=f"{name}_{region}")(func)
    for region in ("us", "eu", "apac", "latam", "mea")
    for name, func, _ in _KINDS
)
"""20 tools: four kinds of signature, each offered for five regions."""

_CALLS = [
    {"name": TOOLS[i].name, "arguments": _KINDS[i % len(_KINDS)][2]}
    for i in range(0, 2 * CALLS_PER_TURN, 2)
]
"""The five parallel calls of every turn: five different tools, two kinds of each half."""


def sequences_needed(*, blocks: int, runs: int, warmup: int) -> int:
    """Runs (agent and raw) ``measure`` makes with these sizes, the capture included."""
    return 1 + 2 * (warmup + blocks * runs)


def write_rules(path: Path, sequences: int) -> Path:
    """A rules file scripting ``sequences`` runs, one after the other (see the docstring)."""
    when = {"contains": MARKER}
    rules: list[dict[str, Any]] = []
    for _ in range(sequences):
        rules.append({"when": when, "reply": {"tool_calls": _CALLS}, "times": TURNS})
        rules.append({"when": when, "reply": {"text": ANSWER}, "times": 1})
    path.write_text(json.dumps({"rules": rules}), encoding="utf-8")
    return path


def build_agent(model: OCIModel) -> Agent:
    """An agent offering the 20 tools, allowed the 10 tool turns and the answer."""
    return Agent(model, tools=list(TOOLS), system_prompt="Use the tools.", max_iterations=12)


def _check(result: AgentResult) -> None:
    calls = TURNS * CALLS_PER_TURN
    if result.metrics.tool_calls != calls or result.metrics.tool_errors or result.message != ANSWER:
        raise RuntimeError(
            f"tool-heavy run went wrong: {result.metrics.tool_calls} tool calls (expected "
            f"{calls}), {result.metrics.tool_errors} errors, answer {result.message[:80]!r} "
            "(is the emulator's rules script out of step?)"
        )


async def capture_bodies(info: dict[str, Any]) -> list[bytes]:
    """The 11 request bodies of one tool-heavy agent run, recorded on the wire."""
    transport = RecordingTransport()
    agent = build_agent(build_model(info, transport=transport))
    try:
        _check(await agent.arun(PROMPT))
    finally:
        await agent.aclose()
    if len(transport.bodies) != TURNS + 1:
        raise RuntimeError(f"expected {TURNS + 1} chat calls, got {len(transport.bodies)}")
    return transport.bodies


Sample = tuple[float, float]
"""Wall seconds and CPU seconds of this process."""


async def _agent_run(agent: Agent) -> Sample:
    cpu, start = time.process_time(), time.perf_counter()
    result = await agent.arun(PROMPT)
    sample = time.perf_counter() - start, time.process_time() - cpu
    _check(result)
    return sample


async def _raw_run(raw: RawClient, bodies: list[bytes]) -> Sample:
    cpu, start = time.process_time(), time.perf_counter()
    for body in bodies:
        await raw.post(body)
    return time.perf_counter() - start, time.process_time() - cpu


async def _block(
    agent: Agent, raw: RawClient, bodies: list[bytes], runs: int
) -> tuple[Sample, Sample]:
    """The agent's and the raw side's median wall and CPU seconds over ``runs`` interleaved runs."""
    agent_s, raw_s = [], []
    for _ in range(runs):
        agent_s.append(await _agent_run(agent))
        raw_s.append(await _raw_run(raw, bodies))
    return _medians(agent_s), _medians(raw_s)


def _medians(samples: list[Sample]) -> Sample:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


async def measure(
    info: dict[str, Any], *, blocks: int = 5, runs: int = 10, warmup: int = 3
) -> dict[str, Any]:
    """``ratio`` (agent / raw, wall), ``cpu_ratio``, and each side's medians in ms.

    The emulator must run ``write_rules(path, sequences_needed(...))`` with the same sizes.
    """
    bodies = await capture_bodies(info)
    agent, raw = build_agent(build_model(info)), RawClient(info)
    try:
        if warmup:
            await _block(agent, raw, bodies, warmup)
        results = [await _block(agent, raw, bodies, runs) for _ in range(blocks)]
    finally:
        await agent.aclose()
        await raw.aclose()
    return {
        "ratio": figure([a[0] / r[0] for a, r in results]),
        "cpu_ratio": figure([a[1] / r[1] for a, r in results]),
        "agent_ms": figure([a[0] for a, _ in results], scale=1000.0),
        "raw_ms": figure([r[0] for _, r in results], scale=1000.0),
        "agent_cpu_ms": figure([a[1] for a, _ in results], scale=1000.0),
        "raw_cpu_ms": figure([r[1] for _, r in results], scale=1000.0),
    }
