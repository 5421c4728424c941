"""Tool call ids a model gets wrong: empty, or repeated within one answer.

An id names one call wherever calls are looked up by it (the next request's tool
results, a paused run's finished results and approvals, a chat page's cards). A call
whose id is empty or already taken in its answer gets a fresh one before it runs, so
every call keeps its own result; good ids are left as the model gave them.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from locus.agent import Agent, Approve, ToolCallStarted
from locus.core.messages import Message, ToolCall
from locus.testing import ScriptedModel
from locus.tools import tool

sent: list[str] = []


class Answer(BaseModel):
    text: str


@tool
def note(text: str) -> str:
    """Records ``text``."""
    sent.append(text)
    return f"noted {text}"


@tool(requires_approval=True)
def send(text: str) -> str:
    """Sends ``text`` (asks for approval)."""
    sent.append(f"sent {text}")
    return f"sent {text}"


def turn_is_whole(messages: list[Message]) -> list[str]:
    """The ids of the last answer's calls; each has exactly one result, in call order."""
    start = max(i for i, m in enumerate(messages) if m.role == "assistant" and m.tool_calls)
    ids = [call.id for call in messages[start].tool_calls]
    results = [m.tool_call_id for m in messages[start + 1 : start + 1 + len(ids)]]
    assert results == ids and len(set(ids)) == len(ids) and all(ids)
    return ids


async def test_repeated_and_empty_ids_in_one_answer_get_fresh_ones() -> None:
    sent.clear()
    calls = [
        ToolCall("x", "note", {"text": "1"}),
        ToolCall("x", "note", {"text": "2"}),
        ToolCall("", "note", {"text": "3"}),
        ToolCall("", "note", {"text": "4"}),
        ToolCall("y", "note", {"text": "5"}),
    ]
    model = ScriptedModel([calls, "done"])
    started = [
        e.call.id async for e in Agent(model, [note]).run("go") if isinstance(e, ToolCallStarted)
    ]
    messages = model.requests[1].messages
    ids = turn_is_whole(messages)
    assert ids[0] == "x" and ids[4] == "y" and ids == started
    # fresh ids come from the run, not at random (a durable workflow replays the loop)
    assert [i.rsplit("_", 2)[1:] for i in ids[1:4]] == [["1", "1"], ["1", "2"], ["1", "3"]]
    texts = [m.text for m in messages if m.role == "tool"]
    assert texts == [f"noted {n}" for n in "12345"]


async def test_a_repeated_id_does_not_make_a_held_call_take_another_calls_result() -> None:
    sent.clear()
    calls = [ToolCall("x", "note", {"text": "a"}), ToolCall("x", "send", {"text": "b"})]
    model = ScriptedModel([calls, "done"])
    agent = Agent(model, [note, send])
    paused = await agent.arun("go")
    assert paused.state is not None and len(paused.pending) == 1
    pending = paused.pending[0]
    assert pending.tool == "send" and pending.id != "x"
    result = await agent.resume(paused.state, approvals={pending.id: Approve()})
    assert sent == ["a", "sent b"]  # the approved call ran
    turn_is_whole(result.messages)
    assert [m.text for m in result.messages if m.role == "tool"] == ["noted a", "sent b"]


async def test_a_turn_with_the_output_call_gets_own_ids_too() -> None:
    calls = [ToolCall("x", "note", {"text": "1"}), ToolCall("x", "final_result", {"text": "hi"})]
    model = ScriptedModel([calls])
    result = await Agent(model, [note], output_type=Answer, output_mode="tool").arun("go")
    assert result.output == Answer(text="hi")
    turn_is_whole(result.messages)


# -- unique across the conversation: a model that numbers its calls per answer (Gemini
# sends no ids and gets call_0 in every turn; some text tool-call formats do the same)


def all_ids_whole(messages: list[Message]) -> list[str]:
    """Every call id of the conversation, in order: each unique, each with one result."""
    ids = [call.id for m in messages for call in m.tool_calls]
    results = [m.tool_call_id or "" for m in messages if m.role == "tool"]
    assert len(set(ids)) == len(ids) and sorted(results) == sorted(ids)
    return ids


async def test_an_id_of_an_earlier_turn_gets_a_fresh_one() -> None:
    sent.clear()
    model = ScriptedModel(
        [
            [ToolCall("call_0", "note", {"text": "1"})],
            [ToolCall("call_0", "note", {"text": "2"}), ToolCall("call_1", "note", {"text": "3"})],
            [ToolCall("call_0", "note", {"text": "4"})],
            "done",
        ]
    )
    result = await Agent(model, [note]).arun("go")
    ids = all_ids_whole(model.requests[3].messages)
    run_id = ids[1].split("_")[1]
    # the first keeps its id; later repeats are named after the run, turn and place
    assert ids == ["call_0", f"call_{run_id}_2_0", "call_1", f"call_{run_id}_3_0"]
    assert [m.text for m in result.messages if m.role == "tool"] == [f"noted {n}" for n in "1234"]


async def test_an_id_from_the_thread_history_gets_a_fresh_one() -> None:
    from locus.stores import InMemoryThreadStore

    model = ScriptedModel(
        [
            [ToolCall("call_0", "note", {"text": "a"})],
            "one",
            [ToolCall("call_0", "note", {"text": "b"})],
            "two",
        ]
    )
    agent = Agent(model, [note], thread_store=InMemoryThreadStore())
    await agent.arun("first", thread_id="t")
    second = await agent.arun("second", thread_id="t")
    ids = all_ids_whole(second.messages)
    assert ids[0] == "call_0" and ids[1] != "call_0"


async def test_a_late_decision_for_an_earlier_turns_id_is_refused_on_resume() -> None:
    """Turn 1 asks to send under call_0, a person approves it; turn 2 asks again under
    call_0. The approval of turn 1, sent again late (a retried request to ``locus serve``'s
    approvals route, a redelivered signal), must not approve the call of turn 2."""
    from locus.core.errors import ConfigurationError
    from locus.stores import InMemoryThreadStore

    sent.clear()
    model = ScriptedModel(
        [
            [ToolCall("call_0", "send", {"text": "first"})],
            [ToolCall("call_0", "send", {"text": "second"})],
            "done",
        ]
    )
    agent = Agent(model, [send], thread_store=InMemoryThreadStore())
    paused = await agent.arun("go", thread_id="t")
    assert [p.id for p in paused.pending] == ["call_0"]
    again = await agent.resume(thread_id="t", approvals={"call_0": Approve()})
    assert sent == ["sent first"] and again.stop_reason == "awaiting_approval"
    newer = again.pending[0]
    assert newer.id != "call_0" and newer.arguments == {"text": "second"}
    with pytest.raises(ConfigurationError, match=r"call_0.*earlier turn"):
        await agent.resume(thread_id="t", approvals={"call_0": Approve()})
    assert sent == ["sent first"]  # the stale decision ran nothing, and claimed nothing
    done = await agent.resume(thread_id="t", approvals={newer.id: Approve()})
    assert sent == ["sent first", "sent second"] and done.text == "done"
    all_ids_whole(done.messages)


async def test_a_lone_output_call_without_an_id_gets_one() -> None:
    model = ScriptedModel([[ToolCall("", "final_result", {"text": "hi"})]])
    result = await Agent(model, [note], output_type=Answer, output_mode="tool").arun("go")
    assert result.output == Answer(text="hi")
    assert turn_is_whole(result.messages)[0].startswith("call_")
