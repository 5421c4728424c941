"""OCIChatCompletionsModel (signed and API key) and OpenAICompatibleModel on /openai/v1."""

from __future__ import annotations

import httpx
import pytest

from locus.core.errors import AuthenticationError
from locus.core.messages import Message
from locus.core.toolspec import ToolSpec
from locus.emulator import Emulator
from locus.models.openai_compatible import OpenAICompatibleModel
from locus.models.providers.oci import OCIChatCompletionsModel

ADD = ToolSpec(
    "add_two_numbers",
    "Return the sum of two integers.",
    {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}},
)
ASK = "Use the add_two_numbers tool to add 7 and 35."


def _signed(emu: Emulator, model_id: str = "xai.grok-4") -> OCIChatCompletionsModel:
    return OCIChatCompletionsModel(
        model_id,
        compartment_id=emu.compartment_id,
        config_file=emu.config_file,
        profile_name=emu.profile,
        service_endpoint=emu.service_endpoint,
    )


async def test_signed_complete_and_stream(emu: Emulator) -> None:
    async with _signed(emu) as model:
        reply = await model.complete([Message.user("what model are you?")])
        assert "xai.grok-4" in reply.text and reply.usage.total_tokens > 0
        deltas = [
            e.content
            async for e in model.stream([Message.user("Count from 1 to 5, separated by commas.")])
            if e.content
        ]
    assert "".join(deltas) == "1, 2, 3, 4, 5" and len(deltas) > 1


@pytest.mark.parametrize("streamed", [False, True])
async def test_tool_call_deltas_joined(emu: Emulator, streamed: bool) -> None:
    async with _signed(emu, "openai.gpt-oss-120b") as model:
        if streamed:
            final = [e async for e in model.stream([Message.user(ASK)], tools=[ADD])][-1]
            calls = final.tool_calls
        else:
            calls = (await model.complete([Message.user(ASK)], tools=[ADD])).tool_calls
    assert [(c.name, c.arguments) for c in calls] == [("add_two_numbers", {"a": 7, "b": 35})]


async def test_api_key_bearer(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCI_GENAI_API_KEY", emu.api_key)
    model = OCIChatCompletionsModel("xai.grok-4", service_endpoint=emu.service_endpoint)
    async with model:
        assert "xai.grok-4" in (await model.complete([Message.user("what model are you?")])).text
    assert emu.api_key not in repr(model)


async def test_wrong_api_key(emu: Emulator) -> None:
    model = OCIChatCompletionsModel(
        "xai.grok-4", service_endpoint=emu.service_endpoint, api_key="locus-emu-wrong"
    )
    async with model:
        with pytest.raises(AuthenticationError) as info:
            await model.complete([Message.user("hi")])
    assert "locus-emu-wrong" not in str(info.value)


async def test_openai_compatible_model(emu: Emulator) -> None:
    model = OpenAICompatibleModel(
        "meta.llama-3.3-70b-instruct",
        base_url=f"{emu.service_endpoint}/openai/v1",
        api_key=emu.api_key,
    )
    async with model:
        reply = await model.complete([Message.user("what model are you?")])
        final = [e async for e in model.stream([Message.user(ASK)], tools=[ADD])][-1]
    assert "meta.llama-3.3-70b-instruct" in reply.text
    assert [c.arguments for c in final.tool_calls] == [{"a": 7, "b": 35}]


async def test_openai_compatible_model_parses_text_tool_calls_by_default() -> None:
    # A self-hosted server without a tool parser (vLLM, Ollama) answers with Qwen text.
    text = '<tool_call>\n{"name": "add_two_numbers", "arguments": {"a": 7, "b": 35}}\n</tool_call>'
    answer = {
        "id": "c1",
        "object": "chat.completion",
        "model": "qwen",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=answer))
    model = OpenAICompatibleModel("qwen", base_url="http://127.0.0.1:9/v1", transport=transport)
    async with model:
        reply = await model.complete([Message.user(ASK)], tools=[ADD])
    assert reply.message.content is None
    assert [(c.name, c.arguments) for c in reply.tool_calls] == [
        ("add_two_numbers", {"a": 7, "b": 35})
    ]
