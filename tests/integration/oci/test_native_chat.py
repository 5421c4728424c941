"""OCIModel against the emulator: GENERIC, COHERE, COHEREV2; on-demand and DAC; tools."""

from __future__ import annotations

from typing import Any

import pytest

from locus.core.messages import Message
from locus.core.response import ModelResponse
from locus.core.toolspec import ToolSpec
from locus.emulator import Emulator
from locus.models.providers.oci import OCIModel
from tests.integration.conftest import OCIModelFactory
from tests.integration.reliability._soak import pool_state

ADD = ToolSpec(
    "add_two_numbers",
    "Return the sum of two integers.",
    {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
    },
)
ASK = "Use the add_two_numbers tool to add 7 and 35, then state the result in one sentence."
STYLES = ["hermes", "native", "qwen3_coder", "llama_json", "cohere"]
ON_DEMAND = [
    ("meta.llama-3.3-70b-instruct", None),
    ("cohere.command-r-plus-08-2024", None),
    ("cohere.command-a-03-2025", "cohere_v2"),
]


def _dac(emu: Emulator, style: str, oci_model: OCIModelFactory, **options: Any) -> OCIModel:
    endpoint = emu.endpoint(style=style)
    return oci_model(endpoint["ocid"], api_format=endpoint["api_format"], **options)


async def _streamed(model: OCIModel, messages: list[Message], **kw: Any) -> ModelResponse:
    deltas: list[str] = []
    final = None
    async for event in model.stream(messages, **kw):
        if event.content:
            deltas.append(event.content)
        if event.done:
            final = event
    assert final is not None and final.response is not None
    assert "".join(deltas) == final.response.text
    return final.response


@pytest.mark.parametrize(("model_id", "api_format"), ON_DEMAND)
@pytest.mark.parametrize("streamed", [False, True])
async def test_on_demand_identity(
    oci_model: OCIModelFactory, model_id: str, api_format: str | None, streamed: bool
) -> None:
    model = oci_model(model_id, **({"api_format": api_format} if api_format else {}), max_tokens=64)
    messages = [Message.user("In one sentence, what model are you?")]
    async with model:
        response = await (_streamed(model, messages) if streamed else model.complete(messages))
    assert model_id in response.text
    assert response.usage.total_tokens > 0 and response.stop_reason == "stop"


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("streamed", [False, True])
async def test_dac_identity(
    emu: Emulator, oci_model: OCIModelFactory, style: str, streamed: bool
) -> None:
    model = _dac(emu, style, oci_model, max_tokens=64)
    messages = [Message.system("Be brief."), Message.user("In one sentence, what model are you?")]
    response = await (_streamed(model, messages) if streamed else model.complete(messages))
    assert emu.endpoint(style=style)["model"] in response.text
    assert response.stop_reason == "stop"
    await model.aclose()


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("streamed", [False, True])
async def test_dac_tool_round_trip(
    emu: Emulator, oci_model: OCIModelFactory, style: str, streamed: bool
) -> None:
    model = _dac(emu, style, oci_model)
    messages = [Message.user(ASK)]
    first = await (
        _streamed(model, messages, tools=[ADD]) if streamed else model.complete(messages, [ADD])
    )
    assert [(c.name, c.arguments) for c in first.tool_calls] == [
        ("add_two_numbers", {"a": 7, "b": 35})
    ]
    assert "<tool_call>" not in first.text and "<function" not in first.text
    call = first.tool_calls[0]
    messages += [first.message, Message.tool("42", call.id, call.name)]
    second = await (
        _streamed(model, messages, tools=[ADD]) if streamed else model.complete(messages, [ADD])
    )
    assert "42" in second.text and not second.tool_calls
    await model.aclose()


@pytest.mark.parametrize(("model_id", "api_format"), ON_DEMAND)
async def test_on_demand_tool_call(
    oci_model: OCIModelFactory, model_id: str, api_format: str | None
) -> None:
    model = oci_model(model_id, **({"api_format": api_format} if api_format else {}))
    response = await model.complete([Message.user(ASK)], tools=[ADD])
    assert [c.arguments for c in response.tool_calls] == [{"a": 7, "b": 35}]
    await model.aclose()


async def test_many_calls_share_one_client(emu: Emulator, oci_model: OCIModelFactory) -> None:
    model = _dac(emu, "native", oci_model)
    for _ in range(3):
        await model.complete([Message.user("hi")])
    client = model.http_client
    await model.complete([Message.user("hi")])
    assert model.http_client is client and client is not None
    await model.aclose()
    assert client.is_closed


@pytest.mark.parametrize("style", ["native", "cohere"])
async def test_streams_return_their_connection_to_the_pool(
    emu: Emulator, oci_model: OCIModelFactory, style: str
) -> None:
    model = _dac(emu, style, oci_model)
    for _ in range(3):
        await _streamed(model, [Message.user("Count from 1 to 5.")])
    # neither backend keeps a public count of pooled connections; pool_state reads it.
    client = model.http_client
    assert client is not None
    assert pool_state(client)[0] == 1
    await model.aclose()


def test_asyncio_run_twice_without_aclose_leaks_nothing(emu: Emulator) -> None:
    model = OCIModel(
        emu.endpoint(style="native")["ocid"],
        compartment_id=emu.compartment_id,
        config_file=emu.config_file,
        service_endpoint=emu.service_endpoint,
    )

    async def ask() -> str:
        return (await model.complete([Message.user("what model are you?")])).text

    import asyncio
    import gc

    first, second = asyncio.run(ask()), asyncio.run(ask())
    gc.collect()  # an unclosed socket would warn here (warnings are errors)
    assert first == second and "gpt-oss" in first


def test_complete_sync_against_the_emulator(emu: Emulator) -> None:
    model = OCIModel(
        emu.endpoint(style="native")["ocid"],
        compartment_id=emu.compartment_id,
        config_file=emu.config_file,
        service_endpoint=emu.service_endpoint,
    )
    assert "gpt-oss" in model.complete_sync([Message.user("what model are you?")]).text


@pytest.mark.parametrize("streamed", [False, True])
async def test_dac_cohere_v2(emu: Emulator, oci_model: OCIModelFactory, streamed: bool) -> None:
    model = oci_model(emu.endpoint(style="cohere")["ocid"], api_format="cohere_v2")
    messages = [Message.user("In one sentence, what model are you?")]
    reply = await (_streamed(model, messages) if streamed else model.complete(messages))
    assert "cohere.command-a-03-2025" in reply.text
    ask = [Message.user(ASK)]
    call = await (_streamed(model, ask, tools=[ADD]) if streamed else model.complete(ask, [ADD]))
    assert [c.arguments for c in call.tool_calls] == [{"a": 7, "b": 35}]
