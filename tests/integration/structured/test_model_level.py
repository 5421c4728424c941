"""``response_format`` with a type over real HTTP: every family answers JSON that validates
into ``ModelResponse.parsed``, whole and streamed in several deltas."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import BaseModel, TypeAdapter

from locus.core.messages import Message
from locus.core.response import ModelResponse
from locus.emulator import Emulator
from locus.models.http import HTTPChatModel
from locus.models.openai_compatible import OpenAICompatibleModel
from locus.models.providers.oci import OCIChatCompletionsModel
from tests.integration.conftest import OCIModelFactory

ASK = [Message.user("Tell me about Paris: its population is 2100000.")]
PARIS_JSON = '{"name": "Paris", "population": 2100000}'


class City(BaseModel):
    """A city and its population."""

    name: str
    population: int


PARIS = City(name="Paris", population=2100000)


@pytest.fixture
async def family(
    request: pytest.FixtureRequest, emu: Emulator, oci_model: OCIModelFactory
) -> AsyncIterator[HTTPChatModel]:
    """One model per family the issue names, on the emulator."""
    name = request.param
    model: HTTPChatModel
    if name == "generic":
        model = oci_model("meta.llama-3.3-70b-instruct")
    elif name == "generic-strict":
        model = oci_model("openai.gpt-oss-120b")
    elif name == "cohere":
        model = oci_model("cohere.command-r-plus-08-2024")
    elif name == "cohere-v2":
        model = oci_model("cohere.command-a-03-2025", api_format="cohere_v2")
    elif name == "chat-completions":
        model = OCIChatCompletionsModel(
            "xai.grok-4",
            compartment_id=emu.compartment_id,
            config_file=emu.config_file,
            profile_name=emu.profile,
            service_endpoint=emu.service_endpoint,
        )
    else:
        model = OpenAICompatibleModel(
            "meta.llama-3.3-70b-instruct",
            base_url=f"{emu.service_endpoint}/openai/v1",
            api_key=emu.api_key,
        )
    async with model:
        yield model


FAMILIES = ["generic", "generic-strict", "cohere", "cohere-v2", "chat-completions", "openai"]


@pytest.mark.parametrize("family", FAMILIES, indirect=True)
async def test_complete_with_a_pydantic_class(family: HTTPChatModel) -> None:
    reply = await family.complete(ASK, response_format=City)
    assert reply.text == PARIS_JSON
    assert reply.parsed == PARIS
    assert reply.parse_error is None


@pytest.mark.parametrize("family", FAMILIES, indirect=True)
async def test_stream_arrives_in_several_deltas_and_ends_parsed(family: HTTPChatModel) -> None:
    events = [e async for e in family.stream(ASK, response_format=City)]
    deltas = [e.content for e in events if e.content]
    assert len(deltas) >= 3
    assert "".join(deltas) == PARIS_JSON
    final = events[-1].response
    assert final is not None and final.parsed == PARIS


@pytest.mark.parametrize("family", ["generic", "cohere-v2", "chat-completions"], indirect=True)
async def test_type_adapter_of_a_list_is_wrapped_and_unwrapped(family: HTTPChatModel) -> None:
    reply = await family.complete(ASK, response_format=TypeAdapter(list[City]))
    assert reply.text == '{"response": [' + PARIS_JSON + "]}"
    assert reply.parsed == [PARIS]


@pytest.mark.parametrize("family", ["generic", "cohere", "openai"], indirect=True)
async def test_a_schema_dict_is_sent_and_parsed_as_json(family: HTTPChatModel) -> None:
    bare = await family.complete(ASK, response_format=City.model_json_schema())
    assert bare.parsed == {"name": "Paris", "population": 2100000}
    named = {"name": "city", "schema": City.model_json_schema(), "strict": False}
    assert (await family.complete(ASK, response_format=named)).parsed == bare.parsed


@pytest.mark.parametrize("model_id", ["meta.llama-3.3-70b-instruct", "cohere.command-a-03-2025"])
async def test_construction_keyword_applies_to_every_call(
    oci_model: OCIModelFactory, model_id: str
) -> None:
    model = oci_model(model_id, response_format=City)
    reply: ModelResponse = await model.complete(ASK)
    assert reply.parsed == PARIS
    streamed = [e async for e in model.stream(ASK)][-1].response
    assert streamed is not None and streamed.parsed == PARIS
    plain = await model.complete(ASK, response_format=None)  # a call's override wins
    assert plain.parsed is None and not plain.text.startswith("{")
