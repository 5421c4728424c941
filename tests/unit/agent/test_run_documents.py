"""A run's ``documents=``: sent with each of its model calls, checked before it starts; the
final answer's citations on ``result.citations`` (and on ``RunFinished``'s result)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from locus.agent import Agent, RunFinished
from locus.core import Citation
from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse, StreamEvent
from locus.stores import InMemoryThreadStore
from locus.testing import ScriptedModel, ScriptedTurn
from locus.tools import tool

DOCS = [{"title": "Tall penguins", "snippet": "Emperor penguins are the tallest."}]


class QuotingModel:
    """A grounded model: it quotes its first document's snippet and cites it."""

    model_id = "quoting"

    def __init__(self) -> None:
        self.documents: list[Any] = []

    async def complete(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> ModelResponse:
        documents = kwargs.get("documents") or ()
        self.documents.append(documents)
        if not documents:
            return ModelResponse(Message.assistant("No documents."), stop_reason="stop")
        snippet = documents[0]["snippet"]
        text = f"They say: {snippet}"
        start = text.index(snippet)
        cited = Citation(start, start + len(snippet), snippet, ("doc_0",))
        return ModelResponse(Message.assistant(text), stop_reason="stop", citations=(cited,))

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> AsyncIterator[StreamEvent]:
        response = await self.complete(messages, tools, **kwargs)
        yield StreamEvent(content=response.text)
        yield StreamEvent.final(response)


async def test_the_final_answers_citations_are_the_results() -> None:
    model = QuotingModel()
    result = await Agent(model).arun("Which penguins are the tallest?", documents=DOCS)
    (citation,) = result.citations
    assert result.message[citation.start : citation.end] == citation.text == DOCS[0]["snippet"]
    assert citation.document_ids == ("doc_0",)
    assert result.citations is result.response.citations  # type: ignore[union-attr]


async def test_run_finished_carries_them() -> None:
    finished = [
        e
        async for e in Agent(QuotingModel()).run("Tallest?", documents=DOCS)
        if isinstance(e, RunFinished)
    ]
    assert [c.document_ids for c in finished[0].result.citations] == [("doc_0",)]


def test_run_sync_too() -> None:
    result = Agent(QuotingModel()).run_sync("Tallest?", documents=DOCS)
    assert len(result.citations) == 1


async def test_a_run_without_documents_has_no_citations() -> None:
    model = QuotingModel()
    result = await Agent(model).arun("Tallest?")
    assert result.citations == () and model.documents == [()]


async def test_every_model_call_of_the_run_gets_them_over_the_call_kwargs() -> None:
    @tool
    def lookup(name: str) -> str:
        """Look a name up."""
        return "found"

    model = ScriptedModel(
        [ScriptedTurn(tool_calls=[ToolCall("c1", "lookup", {"name": "x"})]), "done", "ok"]
    )
    agent = Agent(model, [lookup], call_kwargs={"temperature": 0.1, "documents": []})
    result = await agent.arun("go", documents=DOCS)
    assert result.message == "done" and result.citations == ()
    assert [r.kwargs for r in model.requests] == [
        {"temperature": 0.1, "documents": tuple(DOCS)}
    ] * 2
    await agent.arun("again")  # the next run without: the agent's call_kwargs again
    assert model.requests[-1].kwargs == {"temperature": 0.1, "documents": []}


@pytest.mark.parametrize(
    ("documents", "match"),
    [("Emperor penguins", "list of dicts"), ([["a"]], r"documents\[0\] must be a dict")],
)
async def test_bad_documents_fail_before_the_run(documents: Any, match: str) -> None:
    model = QuotingModel()
    with pytest.raises(ConfigurationError, match=match):
        await Agent(model).arun("Tallest?", documents=documents)
    assert model.documents == []


@pytest.mark.parametrize("on_thread", [False, True])
async def test_a_paused_runs_documents_ground_its_resumed_calls(on_thread: bool) -> None:
    from locus.agent import Approve, RunState

    @tool(requires_approval=True)
    def refund(order: str) -> str:
        """Refund an order."""
        return "refunded"

    asks = ScriptedTurn(tool_calls=[ToolCall("r1", "refund", {"order": "E5"})])
    thread_id = "t-grounded" if on_thread else None
    store = InMemoryThreadStore()
    first = ScriptedModel([asks, "done"])
    paused = await Agent(first, [refund], thread_store=store).arun(
        "refund E5", documents=DOCS, thread_id=thread_id
    )
    assert paused.state is not None and first.requests[0].kwargs == {"documents": tuple(DOCS)}
    state = RunState.load(paused.state.dump())  # as another process reads it
    assert state.documents == tuple(DOCS)
    second = ScriptedModel(["done"])
    agent = Agent(second, [refund], thread_store=store)
    if on_thread:  # the state kept in the thread store
        result = await agent.resume(thread_id="t-grounded", approvals={"r1": Approve()})
    else:
        result = await agent.resume(state, approvals={"r1": Approve()})
    assert result.message == "done"
    assert [r.kwargs for r in second.requests] == [{"documents": tuple(DOCS)}]


def test_a_state_without_documents_dumps_as_before() -> None:
    from locus.agent import RunState

    state = RunState(messages=[], pending=[])
    assert "documents" not in state.to_json() and RunState.load(state.dump()).documents is None
