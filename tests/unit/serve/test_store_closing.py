"""A ``locus serve`` app closes its agents' thread stores when it stops (each once, each
within the shutdown timeout); an app mounted elsewhere leaves them open for their owner."""

from __future__ import annotations

import asyncio
import logging

import pytest

from locus.agent import Agent
from locus.serve import create_app
from locus.stores import InMemoryThreadStore
from locus.testing import FunctionModel
from tests.deadlines import within


class CountedStore(InMemoryThreadStore):
    """An in-memory store that counts how often it was closed."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = 0

    async def aclose(self) -> None:
        self.closed += 1
        await super().aclose()


class StuckStore(InMemoryThreadStore):
    """A store whose close never ends."""

    async def aclose(self) -> None:
        await asyncio.Event().wait()


class BrokenStore(InMemoryThreadStore):
    """A store whose close fails."""

    async def aclose(self) -> None:
        raise OSError("the database went away")


def _agent(store: InMemoryThreadStore) -> Agent:
    return Agent(FunctionModel(lambda messages, tools: "hi"), thread_store=store)


async def _start_and_stop(app: object) -> None:
    lifespan = app.router.lifespan_context(app)  # type: ignore[attr-defined]
    async with lifespan:
        pass


async def test_an_app_that_owns_its_stores_closes_each_once_when_it_stops() -> None:
    shared, own = CountedStore(), CountedStore()
    app = create_app({"a": _agent(shared), "b": _agent(shared), "c": _agent(own)})
    app.state.served.owns_stores = True
    await within(_start_and_stop(app), "the app stops")
    assert (shared.closed, own.closed) == (1, 1)


async def test_an_app_mounted_elsewhere_leaves_its_stores_open() -> None:
    store = CountedStore()
    agent = _agent(store)
    app = create_app(agent)
    await within(_start_and_stop(app), "the app stops")
    assert store.closed == 0
    result = await agent.arun("again", thread_id="t1")  # the store still works
    assert result.message == "hi" and len(await store.load("t1")) == 2


async def test_a_store_that_does_not_close_in_time_or_fails_is_logged_and_the_rest_close(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stuck, broken, fine = StuckStore(), BrokenStore(), CountedStore()
    agents = {"a": _agent(stuck), "b": _agent(broken), "c": _agent(fine)}
    app = create_app(agents, shutdown_timeout=0.2)
    app.state.served.owns_stores = True
    with caplog.at_level(logging.WARNING, logger="locus.serve"):
        await within(_start_and_stop(app), "the app stops despite its stores")
    assert fine.closed == 1
    said = [r.getMessage() for r in caplog.records]
    assert any("did not close: TimeoutError" in line for line in said), said
    assert any("did not close: OSError: the database went away" in line for line in said), said
