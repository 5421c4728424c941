"""The official openai client against ``/openai/v1`` (API key or OCI-signed)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx2
import openai
import pytest
from openai.types.chat import (
    ChatCompletionFunctionToolParam,
    ChatCompletionMessageFunctionToolCall,
    ChatCompletionMessageParam,
)
from openai.types.chat.chat_completion_message_function_tool_call_param import Function

from locus.emulator import Emulator

from ._helpers import SEED_PROMPT, SignedAuth, Signer

TOOL: ChatCompletionFunctionToolParam = {
    "type": "function",
    "function": {
        "name": "add_two_numbers",
        "description": "Return the sum of two integers.",
        "parameters": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        },
    },
}


@pytest.fixture
def client(oci_emulator: Emulator) -> Iterator[openai.OpenAI]:
    """An openai client using the emulator's bearer API key, without retries."""
    oci_emulator.reset()
    with openai.OpenAI(
        base_url=oci_emulator.url + "/openai/v1", api_key=oci_emulator.api_key, max_retries=0
    ) as api:
        yield api
    oci_emulator.reset()


def test_chat_completion_with_api_key(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="xai.grok-4", messages=[{"role": "user", "content": "What model are you?"}]
    )
    assert "xai.grok-4" in (completion.choices[0].message.content or "")
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.prompt_tokens == 4


def test_streaming_with_usage(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="openai.gpt-oss-120b",
        messages=[{"role": "user", "content": "Count from 1 to 5, separated by commas."}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "1, 2, 3, 4, 5"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 5


def test_tool_call_and_result(client: openai.OpenAI) -> None:
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": SEED_PROMPT}]
    first = client.chat.completions.create(
        model="meta.llama-3.3-70b-instruct",
        messages=messages,
        tools=[TOOL],
    )
    calls = first.choices[0].message.tool_calls or []
    call = calls[0]
    assert isinstance(call, ChatCompletionMessageFunctionToolCall)
    assert first.choices[0].finish_reason == "tool_calls"
    assert json.loads(call.function.arguments) == {"a": 7, "b": 35}
    function: Function = {"name": call.function.name, "arguments": call.function.arguments}
    messages.append(
        {
            "role": "assistant",
            "tool_calls": [{"id": call.id, "type": "function", "function": function}],
        }
    )
    messages.append({"role": "tool", "tool_call_id": call.id, "content": "42"})
    second = client.chat.completions.create(
        model="meta.llama-3.3-70b-instruct",
        messages=messages,
        tools=[TOOL],
    )
    assert second.choices[0].message.content == "The result of add_two_numbers is 42."


def test_streamed_tool_call_fragments(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="openai.gpt-oss-120b",
        messages=[{"role": "user", "content": SEED_PROMPT}],
        tools=[TOOL],
        stream=True,
    )
    fragments = [
        call.function.arguments or ""
        for chunk in stream
        for call in (chunk.choices[0].delta.tool_calls or [] if chunk.choices else [])
        if call.function is not None
    ]
    assert len(fragments) >= 3
    assert json.loads("".join(fragments)) == {"a": 7, "b": 35}


def test_signed_requests_are_accepted(oci_emulator: Emulator) -> None:
    signer = Signer(oci_emulator.config_file)
    http = httpx2.Client(auth=SignedAuth(signer))
    with openai.OpenAI(
        base_url=oci_emulator.url + "/openai/v1", api_key="unused", http_client=http, max_retries=0
    ) as api:
        completion = api.chat.completions.create(
            model="xai.grok-4",
            messages=[{"role": "user", "content": "Hello"}],
            extra_headers={"opc-compartment-id": oci_emulator.compartment_id},
        )
    assert completion.choices[0].message.content


def test_wrong_api_key_is_authentication_error(oci_emulator: Emulator) -> None:
    with (
        openai.OpenAI(
            base_url=oci_emulator.url + "/openai/v1", api_key="wrong", max_retries=0
        ) as api,
        pytest.raises(openai.AuthenticationError) as caught,
    ):
        api.chat.completions.create(model="xai.grok-4", messages=[{"role": "user", "content": "x"}])
    assert caught.value.status_code == 401


def test_cohere_model_is_not_on_the_openai_api(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(
            model="cohere.command-r-plus-08-2024", messages=[{"role": "user", "content": "x"}]
        )


def test_faults_surface_as_openai_errors(client: openai.OpenAI, oci_emulator: Emulator) -> None:
    oci_emulator.set_faults(["429_retry_after", "500", "503"], target="xai.grok-4")
    expected = [openai.RateLimitError, openai.InternalServerError, openai.InternalServerError]
    for error_type in expected:
        with pytest.raises(error_type):
            client.chat.completions.create(
                model="xai.grok-4", messages=[{"role": "user", "content": "x"}]
            )
    assert oci_emulator.fired_faults == {"429_retry_after": 1, "500": 1, "503": 1}


def test_connection_reset_is_api_connection_error(
    client: openai.OpenAI, oci_emulator: Emulator
) -> None:
    oci_emulator.set_faults(["reset_before"])
    with pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(
            model="xai.grok-4", messages=[{"role": "user", "content": "x"}]
        )
    assert oci_emulator.fired_faults == {"reset_before": 1}
