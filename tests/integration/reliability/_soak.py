"""Pieces of the soak test: a non-streaming model view, a counting tool, a run log, a summary."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import resource
import statistics
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from locus.core.messages import Message
from locus.core.response import ModelResponse, StreamEvent
from locus.models.http import HTTPChatModel
from locus.models.http.aiohttp_transport import AiohttpTransport
from locus.tools import Tool, tool

__all__ = [
    "CompleteOnlyModel",
    "RetryCounter",
    "RunLog",
    "ToolLedger",
    "client_socket_count",
    "pool_state",
    "rss_bytes",
]


class CompleteOnlyModel:
    """A real ``Model`` view of another model that never streams on the wire.

    The agent always calls ``stream()``; this one answers it with one ``complete()``
    call and a single final event, so half of the soak exercises non-streaming HTTP.
    """

    def __init__(self, inner: HTTPChatModel) -> None:
        self.inner = inner
        self.model_id = inner.model_id

    async def complete(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> ModelResponse:
        return await self.inner.complete(messages, tools, **kwargs)

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> AsyncIterator[StreamEvent]:
        response = await self.inner.complete(messages, tools, **kwargs)
        yield StreamEvent(
            content=response.text or None,
            tool_calls=list(response.tool_calls),
            done=True,
            usage=response.usage,
            stop_reason=response.stop_reason,
            response=response,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


class RetryCounter:
    """A ``RetryPolicy.sleep`` that counts the retries it waits for, then sleeps."""

    def __init__(self) -> None:
        self.retries = 0

    async def __call__(self, seconds: float) -> None:
        self.retries += 1
        await asyncio.sleep(seconds)


class ToolLedger:
    """``add_two_numbers`` that records every execution by its arguments (unique per run)."""

    def __init__(self) -> None:
        self.executions: Counter[tuple[int, int]] = Counter()

    def tool(self) -> Tool[Any, Any]:
        ledger = self

        @tool(name="add_two_numbers")
        async def add_two_numbers(a: int, b: int) -> int:
            """Return the sum of two integers."""
            ledger.executions[(a, b)] += 1
            return a + b

        return add_two_numbers


@dataclass(slots=True)
class RunLog:
    """What each run ended with: wall times, outcomes by kind, and the runs that went wrong."""

    walls: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)

    def record(self, wall: float, outcome: str, problem: str | None = None) -> None:
        self.walls.append(wall)
        self.outcomes[outcome] += 1
        if problem is not None:
            self.wrong.append(problem)

    def summary(self, retries: int, extra: dict[str, str]) -> str:
        """The table the soak prints (runs, retries, outcomes by type, p50/p99 wall)."""
        walls = sorted(self.walls)
        cuts = statistics.quantiles(walls, n=100) if len(walls) > 1 else walls * 99
        rows = [("runs", str(len(walls))), ("retries (HTTP attempts retried)", str(retries))]
        rows += [(f"ended: {name}", str(n)) for name, n in sorted(self.outcomes.items())]
        rows += [("wall p50 (ms)", f"{cuts[49] * 1000:.0f}")]
        rows += [("wall p99 (ms)", f"{cuts[98] * 1000:.0f}")]
        rows += list(extra.items())
        width = max(len(name) for name, _ in rows)
        lines = [f"| {name.ljust(width)} | {value:>9} |" for name, value in rows]
        rule = f"|{'-' * (width + 2)}|{'-' * 11}|"
        return "\n".join([f"| {'soak'.ljust(width)} | {'value':>9} |", rule, *lines])


def pool_state(client: httpx.AsyncClient) -> tuple[int, int, int]:
    """(connections, busy connections, queued requests) of the client's pool: httpcore's,
    or aiohttp's connector under our ``AiohttpTransport``.

    A wrapping test transport is looked through (its ``inner`` transport).
    """
    transport = getattr(client._transport, "inner", client._transport)
    if isinstance(transport, AiohttpTransport):
        return _aiohttp_pool_state(transport)
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    pool = transport._pool
    connections = list(pool.connections)
    busy = sum(1 for c in connections if not (c.is_idle() or c.is_closed()))
    return len(connections), busy, len(pool._requests)


def _aiohttp_pool_state(transport: AiohttpTransport) -> tuple[int, int, int]:
    session = transport._session
    if session is None:
        return 0, 0, 0
    connector: Any = session.connector
    idle = sum(len(conns) for conns in connector._conns.values())
    busy = len(connector._acquired)
    queued = sum(len(waiters) for waiters in connector._waiters.values())
    return idle + busy, busy, queued


def client_socket_count(port: int) -> int:
    """TCP connections of this host to ``port`` in ESTABLISHED state (from /proc/net/tcp)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            count += remote_port == port and fields[3] == "01"
    return count


def rss_bytes() -> int:
    """The resident set size of this process, after garbage collection and ``malloc_trim``.

    ``malloc_trim`` hands freed C heap back to the OS, so the figure tracks live memory
    rather than what the allocator keeps cached after a burst of 100 concurrent runs.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize()
