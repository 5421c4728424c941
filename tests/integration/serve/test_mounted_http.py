"""``create_app`` mounted in a Starlette app of one's own, on a real server (loopback),
its lifespan entered from the outer app's as docs/serving.md shows: the models are
prepared at startup, runs are served under the mount, the app drains at shutdown, and
the thread store stays open until the outer app closes it (it is the user's).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from locus.agent import Agent
from locus.core.messages import Message
from locus.core.toolspec import ToolSpec
from locus.serve import create_app
from locus.testing import FunctionModel
from tests.integration.serve.conftest import ServerThread


class CountingStore:
    """A store of the user's own: messages in a dict, and how often it was closed."""

    def __init__(self) -> None:
        self.threads: dict[str, list[Message]] = {}
        self.closed: list[str] = []

    async def load(self, thread_id: str) -> list[Message]:
        return list(self.threads.get(thread_id, []))

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        self.threads.setdefault(thread_id, []).extend(messages)

    async def aclose(self) -> None:
        self.closed.append("closed")


class PreparedModel(FunctionModel):
    prepared = 0

    async def prepare(self) -> None:
        type(self).prepared += 1


def hello(messages: list[Message], tools: list[ToolSpec]) -> Any:
    return "hello"


def test_a_mounted_app_runs_its_lifespan_from_the_outer_one_and_leaves_the_store(
    serve: Callable[..., ServerThread],
) -> None:
    store = CountingStore()
    PreparedModel.prepared = 0
    agents_app = create_app({"support": Agent(PreparedModel(hello), thread_store=store)})
    closed_while_inside: list[list[str]] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with agents_app.router.lifespan_context(agents_app):
            yield
        closed_while_inside.append(list(store.closed))
        await store.aclose()

    outer = Starlette(routes=[Mount("/agents", app=agents_app)], lifespan=lifespan)
    server = ServerThread(outer).__enter__()
    try:
        assert PreparedModel.prepared == 1
        body = {"model": "support", "messages": [{"role": "user", "content": "hi"}]}
        answer = httpx.post(
            f"{server.url}/agents/v1/chat/completions",
            json={**body, "thread_id": "t1"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        assert httpx.get(f"{server.url}/agents/readyz", timeout=30).status_code == 200
        assert [m.content for m in store.threads["t1"]] == ["hi", "hello"]
    finally:
        server.__exit__()
    assert agents_app.state.served.state.draining
    assert closed_while_inside == [[]]  # the mounted app did not close it
    assert store.closed == ["closed"]  # the outer app did, once
