"""The emulator's structured-output knobs over HTTP: spoiled answers for the first N
attempts, a DAC that ignores ``responseFormat``, and one that calls ``final_result``."""

from __future__ import annotations

import httpx
import pytest
from pydantic import BaseModel

from locus.core._output_schema import output_schema
from locus.core.messages import Message
from locus.core.toolspec import ToolSpec
from locus.emulator import Emulator
from tests.integration.conftest import OCIModelFactory

ASK = [Message.user("Tell me about Paris: its population is 2100000.")]


class City(BaseModel):
    name: str
    population: int


class Country(BaseModel):
    name: str
    code: str


def _final(name: str, tp: type[BaseModel]) -> ToolSpec:
    return ToolSpec(name, f"Give the final {tp.__name__}.", output_schema(tp).json_schema)


def _prose_dac(emu: Emulator) -> str:
    return next(e.ocid for e in emu.catalogue.endpoints.values() if e.ignores_response_format)


async def test_bad_json_for_the_first_attempt_then_valid(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    emu.configure(bad_json=1)
    model = oci_model()
    first = await model.complete(ASK, response_format=City)
    assert first.parsed is None
    assert first.parse_error is not None and first.parse_error.startswith("Invalid JSON")
    second = await model.complete(ASK, response_format=City)
    assert second.parsed == City(name="Paris", population=2100000)


async def test_bad_schema_twice_over_the_admin_route(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{emu.url}/admin/settings", json={"bad_schema": 2})
    assert answer.json()["settings"]["bad_schema"] == 2
    model = oci_model("cohere.command-r-plus-08-2024")
    errors = [(await model.complete(ASK, response_format=City)).parse_error for _ in range(3)]
    assert errors == ["name: Field required", "name: Field required", None]


async def test_a_plain_answer_does_not_use_up_the_count(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    emu.configure(bad_json=1)
    model = oci_model()
    assert (await model.complete([Message.user("what model are you?")])).parse_error is None
    assert (await model.complete(ASK, response_format=City)).parse_error is not None


async def test_a_dac_that_ignores_response_format_answers_prose(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(_prose_dac(emu))
    reply = await model.complete(ASK, response_format=City)
    assert not reply.text.startswith("{")
    assert reply.parsed is None
    assert reply.parse_error is not None and "Invalid JSON" in reply.parse_error


async def test_hermes_dac_calls_final_result_as_tool_call_text(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(emu.endpoint("hermes")["ocid"])
    reply = await model.complete(ASK, tools=[_final("final_result", City)])
    assert [c.name for c in reply.tool_calls] == ["final_result"]
    assert "<tool_call>" not in reply.text
    city = output_schema(City).validate_python(reply.tool_calls[0].arguments)
    assert city == City(name="Paris", population=2100000)


async def test_hermes_dac_streams_the_final_result_call(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(emu.endpoint("hermes")["ocid"])
    events = [e async for e in model.stream(ASK, tools=[_final("final_result", City)])]
    final = events[-1]
    assert [c.name for c in final.tool_calls] == ["final_result"]
    assert final.tool_calls[0].arguments == {"name": "Paris", "population": 2100000}


async def test_union_calls_the_member_the_user_names(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(emu.endpoint("hermes")["ocid"])
    tools = [_final("final_result_City", City), _final("final_result_Country", Country)]
    reply = await model.complete([Message.user("Which country is Lyon in?")], tools=tools)
    assert [c.name for c in reply.tool_calls] == ["final_result_Country"]
    output_schema(Country).validate_python(reply.tool_calls[0].arguments)


async def test_user_tool_first_then_final_result_with_its_result(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    add = ToolSpec(
        "add_two_numbers",
        "Add.",
        {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}},
    )

    class Sum(BaseModel):
        total: int

    model = oci_model(emu.endpoint("native")["ocid"])
    tools = [add, _final("final_result", Sum)]
    ask = Message.user("Add 7 and 35.")
    first = await model.complete([ask], tools=tools)
    assert [c.name for c in first.tool_calls] == ["add_two_numbers"]
    call = first.tool_calls[0]
    result = Message.tool("42", call.id, call.name)
    second = await model.complete([ask, first.message, result], tools=tools)
    assert [(c.name, c.arguments) for c in second.tool_calls] == [("final_result", {"total": 42})]


@pytest.mark.parametrize("knob", ["bad_json", "bad_schema"])
async def test_a_spoiled_final_result_call(
    emu: Emulator, oci_model: OCIModelFactory, knob: str
) -> None:
    emu.configure(**{knob: 1})
    model = oci_model(emu.endpoint("native")["ocid"])
    reply = await model.complete(ASK, tools=[_final("final_result", City)])
    if knob == "bad_json":
        assert reply.tool_calls == [] and reply.text.startswith('{"name": "Par')
    else:
        assert reply.tool_calls[0].arguments == {"population": 2100000}
