"""The provider-neutral vocabulary: messages, usage, params, errors, tool specs."""

from __future__ import annotations

import pytest

from locus.core import Message, ToolCall, ToolSpec, Usage
from locus.core.errors import (
    APIStatusError,
    BadRequestError,
    ConfigurationError,
    LocusError,
    RateLimitError,
    ServerError,
    status_error_class,
)
from locus.core.params import GenerationParams
from locus.core.toolspec import as_tool_specs


def test_message_constructors() -> None:
    assert Message.user("hi").role == "user"
    assert Message.system("be brief").content == "be brief"
    call = ToolCall("c1", "add", {"a": 1})
    turn = Message.assistant(tool_calls=[call])
    assert turn.content is None and turn.tool_calls == [call]
    result = Message.tool("3", tool_call_id="c1", name="add", is_error=False)
    assert (result.role, result.tool_call_id, result.name) == ("tool", "c1", "add")
    assert Message.user("x", images=["data:image/png;base64,AA"]).images[0].url.startswith("data:")


def test_usage_prints_like_a_dict_and_totals() -> None:
    usage = Usage(prompt_tokens=17, completion_tokens=18)
    assert str(usage) == "{'prompt_tokens': 17, 'completion_tokens': 18, 'total_tokens': 35}"
    assert usage.total_tokens == 35 and usage.reasoning_tokens == 0
    summed = usage + Usage(prompt_tokens=1, completion_tokens=2, reasoning_tokens=5)
    assert summed == {
        "prompt_tokens": 18,
        "completion_tokens": 20,
        "total_tokens": 38,
        "reasoning_tokens": 5,
    }


def test_generation_params_merge_rejects_unknown_names() -> None:
    params = GenerationParams(max_tokens=10)
    assert params.merged({"temperature": 0.5, "stop": "END"}).stop == ("END",)
    with pytest.raises(ConfigurationError, match="temprature"):
        params.merged({"temprature": 0.5})


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"temperature": float("nan")}, "temperature must be a finite number"),
        ({"top_p": float("inf")}, "top_p must be a finite number"),
        ({"temperature": "0.7"}, "temperature must be a number, not '0.7'"),
        ({"temperature": True}, "temperature must be a number"),
        ({"max_tokens": 0}, "max_tokens must be at least 1"),
        ({"max_tokens": 10.5}, "max_tokens must be a whole number"),
        ({"seed": "42"}, "seed must be a whole number"),
        ({"stop": (1,)}, "stop must be a string or a list of strings"),
        ({"parallel_tool_calls": "yes"}, "parallel_tool_calls must be True or False"),
    ],
)
def test_generation_params_refuse_values_the_service_would_refuse(
    given: dict[str, object], said: str
) -> None:
    """Each would reach the wire as a 400 on every call (NaN is not even JSON): refused
    where it is given, by construction and by a call's overrides alike."""
    with pytest.raises(ConfigurationError, match=said):
        GenerationParams(**given)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=said):
        GenerationParams().merged(given)


def test_generation_params_take_every_reasonable_value() -> None:
    params = GenerationParams(
        max_tokens=1, temperature=0, top_p=1.0, top_k=-1, seed=0, stop=("END",)
    )
    assert params.merged({"temperature": 1.5, "frequency_penalty": -0.5}).temperature == 1.5


def test_status_error_classes() -> None:
    assert status_error_class(400) is BadRequestError
    assert status_error_class(429) is RateLimitError
    assert status_error_class(503) is ServerError
    assert status_error_class(418) is APIStatusError
    err = RateLimitError(
        "slow down", status=429, code="TooManyRequests", retry_after=2.0, hint="back off"
    )
    assert isinstance(err, LocusError) and err.retry_after == 2.0
    assert "hint: back off" in str(err)


def test_tool_specs_from_dicts_and_specs() -> None:
    spec = ToolSpec("a", "does a", {"type": "object", "properties": {}})
    openai_style = {"type": "function", "function": {"name": "b", "parameters": {"type": "object"}}}
    assert [s.name for s in as_tool_specs([spec, openai_style])] == ["a", "b"]
    with pytest.raises(ConfigurationError, match="cannot use"):
        as_tool_specs([42])
