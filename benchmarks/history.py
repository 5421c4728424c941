"""The client's cost of a long conversation: one turn over 1,000 messages of history.

The history is a realistic mix (``conversation``): user questions, assistant turns with
one or two tool calls, their tool results, and assistant answers, ending with tool
results so that the emulator answers with text in one call. Three ways to send it, each
one request, interleaved: ``model.complete(history, tools=...)``, one agent turn
(``agent.arun(history)``: the agent adds its system prompt and tools), and the raw
request (each side's body recorded on the wire, signed with ``RequestSigner`` and sent
with a bare ``httpx.AsyncClient``). The figure is this process's CPU time per request
divided by the number of messages (the emulator runs in another process; wall time on
a shared machine is too noisy for microseconds). Beside them, ``encode``: the request
body alone (the model's codec and the body's JSON, as ``complete`` makes it, no HTTP),
the part of ``locus`` that grows with the history.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks._scenario import (
    RawClient,
    RecordingTransport,
    add_two_numbers,
    build_agent,
    build_model,
)
from benchmarks._stats import figure
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import as_tool_specs
from locus.models._wire.codec import ChatRequest
from locus.models.http._body_json import dump_body
from locus.models.providers.oci import OCIModel

__all__ = ["conversation", "measure"]

_QUESTION = "Could you add {a} and {b} for the invoice of order A-{i}, and say if it is over 100?"
_ANSWER = "The sum is {s}, which is {word} 100, so the invoice of order A-{i} is {verdict}."


def _call(i: int, j: int) -> ToolCall:
    return ToolCall(f"call_{i}_{j}", "add_two_numbers", {"a": i + j, "b": 3 * i})


def _exchange(i: int, size: int) -> list[Message]:
    """One exchange of ``size`` messages: 2 (no tool), 3 (call, result: the last one),
    4 (one call) or 5 (two parallel calls)."""
    question = Message.user(_QUESTION.format(a=i, b=3 * i, i=i))
    if size == 2:
        return [
            question,
            Message.assistant(_ANSWER.format(s=4 * i, word="near", i=i, verdict="ok")),
        ]
    calls = [_call(i, j) for j in range(2 if size == 5 else 1)]
    results = [Message.tool(str(c.arguments["a"] + c.arguments["b"]), c.id, c.name) for c in calls]
    messages = [question, Message.assistant(None, calls), *results]
    if size != 3:
        verdict = "due" if 4 * i > 100 else "small"
        messages.append(
            Message.assistant(_ANSWER.format(s=4 * i, word="against", i=i, verdict=verdict))
        )
    return messages


def _sizes(total: int) -> list[int]:
    """Exchange sizes (4, 5, 4, 2, ...) adding up to ``total`` (any but 1 and 3)."""
    sizes, pattern = [], itertools.cycle((4, 5, 4, 2))
    while total:
        size = next(pattern)
        if total - size < 0 or total - size in (1, 3):
            size = next(s for s in (2, 4, 5) if total - s >= 0 and total - s not in (1, 3))
        sizes.append(size)
        total -= size
    return sizes


def conversation(messages: int = 1000) -> list[Message]:
    """``messages`` messages of history ending with a tool call's result (at least 5)."""
    if messages < 5 or messages - 3 in (1, 3):
        raise ValueError(f"cannot build a conversation of exactly {messages} messages")
    history = [m for i, n in enumerate(_sizes(messages - 3)) for m in _exchange(i, n)]
    history += _exchange(len(history), 3)
    return history


Send = Callable[[], Awaitable[Any]]


async def _cpu(send: Send) -> float:
    start = time.process_time()
    await send()
    return time.process_time() - start


async def _capture(info: dict[str, Any], history: list[Message]) -> tuple[bytes, bytes]:
    """The request bodies of ``model.complete`` and of an agent turn over ``history``."""
    transport = RecordingTransport()
    model = build_model(info, transport=transport)
    try:
        await model.complete(history, tools=[add_two_numbers])
        await build_agent(model).arun(history)
    finally:
        await model.aclose()
    if len(transport.bodies) != 2:
        raise RuntimeError(f"expected one request each, got {len(transport.bodies)} in all")
    return transport.bodies[0], transport.bodies[1]


def _senders(
    model: OCIModel,
    raw: RawClient,
    history: list[Message],
    bodies: tuple[bytes, bytes],
    info: dict[str, Any],
) -> dict[str, Send]:
    agent = build_agent(model)

    async def complete() -> None:
        response = await model.complete(history, tools=[add_two_numbers])
        if response.message.tool_calls or "add_two_numbers" not in response.message.text:
            raise RuntimeError(f"unexpected answer to the history: {response.message!r}")

    async def turn() -> None:
        result = await agent.arun(history)
        if result.metrics.model_calls != 1:
            raise RuntimeError(f"an agent turn made {result.metrics.model_calls} model calls")

    request = ChatRequest(
        history, as_tool_specs([add_two_numbers]), model.params, False, info["compartment_id"]
    )

    async def encode() -> None:
        if dump_body(model.codec.encode(request)) != bodies[0]:
            raise RuntimeError("the encoded body is not the one complete() sent")

    return {
        "locus": complete,
        "agent": turn,
        "raw": lambda: raw.post(bodies[0]),
        "raw_agent": lambda: raw.post(bodies[1]),
        "encode": encode,
    }


async def measure(
    info: dict[str, Any], *, messages: int = 1000, reps: int = 20, warmup: int = 3
) -> dict[str, Any]:
    """Microseconds of CPU per message for ``locus`` (``model.complete``), ``agent`` (one
    agent turn), ``raw`` and ``encode`` (the body alone); ``ratio`` (complete / raw) and
    ``agent_ratio`` (agent turn / its raw request), one figure per interleaved repetition."""
    history = conversation(messages)
    bodies = await _capture(info, history)
    model, raw = build_model(info), RawClient(info)
    senders = _senders(model, raw, history, bodies, info)
    samples: dict[str, list[float]] = {name: [] for name in senders}
    try:
        for rep in range(warmup + reps):
            for name, send in senders.items():
                cpu = await _cpu(send)
                if rep >= warmup:
                    samples[name].append(cpu / messages)
    finally:
        await model.aclose()
        await raw.aclose()
    found = _figures(samples)
    found["body_kib"] = round(len(bodies[0]) / 1024, 1)
    return found


def _figures(samples: dict[str, list[float]]) -> dict[str, Any]:
    pairs = zip(samples["locus"], samples["raw"], strict=True)
    agent_pairs = zip(samples["agent"], samples["raw_agent"], strict=True)
    return {
        "locus": figure(samples["locus"], scale=1e6, digits=2),
        "agent": figure(samples["agent"], scale=1e6, digits=2),
        "raw": figure(samples["raw"], scale=1e6, digits=2),
        "encode": figure(samples["encode"], scale=1e6, digits=3),
        "ratio": figure([ours / limit for ours, limit in pairs]),
        "agent_ratio": figure([ours / limit for ours, limit in agent_pairs]),
    }
