"""The pure parts of locus.durable.temporal: what crosses the wire, typed errors across
Temporal, our retry policy as Temporal's, the agents a worker serves, the worker's CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

from locus.agent import Agent
from locus.core.errors import (
    AuthenticationError,
    ConfigurationError,
    GuardrailTripped,
    RunError,
    ServerError,
    ToolTimeoutError,
)
from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse
from locus.core.toolspec import ToolSpec
from locus.core.usage import Usage
from locus.durable.temporal import _wire as wire
from locus.durable.temporal._agents import agent_named, load_agent, serve, served
from locus.durable.temporal._errors import (
    NON_RETRYABLE,
    application_error,
    locus_error,
    temporal_retry_policy,
)
from locus.durable.temporal._worker import _parser
from locus.models.http import RetryPolicy
from locus.testing import ScriptedModel


def test_a_model_answer_round_trips_as_json() -> None:
    call = ToolCall("c1", "lookup", {"city": "Lisbon"})
    response = ModelResponse(
        Message.assistant("thinking", [call], reasoning="why"),
        Usage(prompt_tokens=3, completion_tokens=4, total_tokens=7),
        stop_reason="tool_calls",
        raw_stop_reason="TOOL_CALLS",
        model_id="m",
        request_id="r1",
    )
    back = wire.response_from_json(wire.response_to_json(response))
    assert back.message == response.message and back.usage == response.usage
    assert (back.stop_reason, back.raw_stop_reason, back.model_id, back.request_id) == (
        "tool_calls",
        "TOOL_CALLS",
        "m",
        "r1",
    )


def test_calls_specs_and_messages_round_trip() -> None:
    call = ToolCall("c", "f", {}, raw_arguments="not json")
    assert wire.call_from_json(wire.call_to_json(call)) == call
    spec = ToolSpec("f", "does f", {"type": "object", "properties": {"x": {"type": "integer"}}})
    assert wire.specs_from_json(wire.specs_to_json([spec])) == [spec]
    messages = [Message.user("hi"), Message.tool("3", "c", "f", is_error=True)]
    assert wire.messages_from_json(wire.messages_to_json(messages)) == messages


def test_model_keywords_that_are_not_json_are_refused_with_a_reason() -> None:
    assert wire.kwargs_to_json({"temperature": 0.2}) == {"temperature": 0.2}
    with pytest.raises(ConfigurationError, match="must be JSON values"):
        wire.kwargs_to_json({"client": object()})


def test_the_retry_policy_maps_onto_temporals() -> None:
    mapped = temporal_retry_policy(RetryPolicy(max_retries=2, base_delay=0.5, max_delay=8.0))
    assert mapped.maximum_attempts == 3
    assert mapped.initial_interval == timedelta(seconds=0.5)
    assert mapped.maximum_interval == timedelta(seconds=8.0)
    assert mapped.backoff_coefficient == 2.0
    assert set(mapped.non_retryable_error_types or ()) == set(NON_RETRYABLE)
    assert {"BadRequestError", "AuthenticationError", "ConfigurationError"} <= set(NON_RETRYABLE)
    assert temporal_retry_policy(None).maximum_attempts == RetryPolicy().max_retries + 1


def wrapped(error: ApplicationError) -> ActivityError:
    """``error`` as the workflow sees a failed activity."""
    outer = ActivityError(
        "activity failed",
        scheduled_event_id=1,
        started_event_id=2,
        identity="w",
        activity_type="locus.model_call",
        activity_id="1",
        retry_state=RetryState.NON_RETRYABLE_FAILURE,
    )
    outer.__cause__ = error
    return outer


def test_typed_errors_cross_as_application_errors_with_safe_details() -> None:
    denied = AuthenticationError(
        "401 NotAuthenticated",
        status=401,
        code="NotAuthenticated",
        request_id="req-1",
        body={"secret": "never"},
    )
    sent = application_error(denied)
    assert sent.type == "AuthenticationError" and sent.non_retryable
    assert "never" not in repr(sent.details)
    back = locus_error(wrapped(sent))
    assert isinstance(back, AuthenticationError)
    assert (back.status, back.code, back.request_id) == (401, "NotAuthenticated", "req-1")
    assert not application_error(ServerError("busy", status=503)).non_retryable
    assert application_error(ValueError("x")).non_retryable  # not ours: not retried


def test_tool_guardrail_and_foreign_errors_come_back_typed() -> None:
    timeout = locus_error(wrapped(application_error(ToolTimeoutError("slow", tool_name="t"))))
    assert isinstance(timeout, ToolTimeoutError) and timeout.tool_name == "t"
    tripped = locus_error(wrapped(application_error(GuardrailTripped("pii", "a card number"))))
    assert isinstance(tripped, GuardrailTripped) and tripped.reason == "a card number"
    foreign = locus_error(wrapped(ApplicationError("boom", type="KeyError")))
    assert isinstance(foreign, RunError) and "KeyError: boom" in str(foreign)
    plain = RuntimeError("no application error")
    assert locus_error(plain) is plain


agent = Agent(ScriptedModel(["hi"]), name="unit")


def factory() -> Agent:
    return Agent(ScriptedModel(["hi"]), name="made", handoffs=[agent])


not_an_agent = 42


def test_agents_are_loaded_by_spec_and_found_by_name() -> None:
    here = "tests.unit.durable.test_wire_and_errors"
    assert load_agent(f"{here}:agent") is agent
    made = load_agent(f"{here}:factory")
    assert made.name == "made" and agent_named(made, "unit") is agent
    with pytest.raises(ConfigurationError, match="no handoff agent named 'nobody'"):
        agent_named(made, "nobody")
    for spec, match in [
        ("nocolon", "expected module:agent"),
        ("no_such_module_xyz:agent", "cannot import"),
        (f"{here}:missing", "has no attribute"),
        (f"{here}:not_an_agent", "not a locus Agent"),
    ]:
        with pytest.raises(ConfigurationError, match=match):
            load_agent(spec)


def test_a_worker_serves_one_agent_per_spec() -> None:
    spec = "tests.unit.durable:served-once"
    assert serve(spec, agent) is agent and served(spec) is agent
    with pytest.raises(ConfigurationError, match="already served"):
        serve(spec, factory())
    with pytest.raises(ConfigurationError, match="locus worker --task-queue Q other:agent"):
        served("other:agent")


def test_the_worker_cli_takes_the_address_from_temporal_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", "temporal.example:7233")
    args = _parser("locus worker").parse_args(["--task-queue", "q", "a:b", "c:d"])
    assert (args.address, args.task_queue, args.agents) == (
        "temporal.example:7233",
        "q",
        ["a:b", "c:d"],
    )
    args = _parser("locus worker").parse_args(["--address", "h:1", "--task-queue", "q", "a:b"])
    assert args.address == "h:1"
    with pytest.raises(SystemExit):
        _parser("locus worker").parse_args(["a:b"])  # --task-queue is required


def test_an_agent_object_that_is_not_an_agent_is_refused_when_served() -> None:
    with pytest.raises(ConfigurationError, match="is a str, not a locus Agent"):
        serve("tests.unit.durable.not_an_agent:agent", "agent")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="not_an_agent:agent"):
        served("tests.unit.durable.not_an_agent:agent")  # (nothing was registered)
