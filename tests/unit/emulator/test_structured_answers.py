"""The emulator's structured answers: schema instances that validate, the final_result
tool, rules-file JSON and the spoiling knobs (pure engine functions, no HTTP)."""

from __future__ import annotations

import datetime
import enum
import json
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from locus.core._output_schema import output_schema
from locus.emulator._conversation import Call, Conversation, Reply, ToolDef, Turn
from locus.emulator._knobs import Knobs
from locus.emulator.engines._rules import load_rules
from locus.emulator.engines._schema_values import schema_instance
from locus.emulator.engines._scripted import scripted_reply
from locus.emulator.engines._structured import spoil


class Kind(enum.Enum):
    PORT = "port"
    CAPITAL = "capital"


class Mayor(BaseModel):
    name: str
    since: datetime.date
    email: str = Field(json_schema_extra={"format": "email"})


class City(BaseModel):
    name: str = Field(min_length=3)
    population: int = Field(ge=10)
    area: float
    capital: bool
    kind: Kind
    mood: Literal["calm", "busy"]
    mayor: Mayor
    districts: list[str] = Field(min_length=2)
    twin: City | None = None
    tags: dict[str, int] = {}


@pytest.mark.parametrize("tp", [City, list[City], int, Kind, Mayor | City, Literal["a", "b"]])
def test_instances_validate_against_the_type_they_came_from(tp: Any) -> None:
    schema = output_schema(tp)
    value = schema_instance(schema.json_schema, "Tell me about the busy port of Marseille.")
    schema.validate_python(value)  # raises if the emulator's JSON broke the schema


def test_values_come_from_the_words_then_the_schema() -> None:
    value = schema_instance(
        output_schema(City).json_schema, "The city of Marseille has 870000 people."
    )
    assert value["name"] == "Marseille"
    assert value["population"] == 870000
    assert value["mayor"]["since"] == "2024-01-01"
    assert value["mayor"]["email"] == "email@example.com"
    assert len(value["districts"]) == 2


def _conversation(text: str, **kw: Any) -> Conversation:
    return Conversation("m", (Turn("user", text),), **kw)


def _final(name: str = "final_result") -> ToolDef:
    return ToolDef(name, "", output_schema(Mayor).json_schema)


def test_forced_final_tool_is_the_one_called() -> None:
    tools = (_final("final_result_A"), _final("final_result_B"))
    reply = scripted_reply(_conversation("hi", tools=tools, tool_choice="final_result_B"))
    assert [c.name for c in reply.calls] == ["final_result_B"]


def test_tool_choice_none_offers_no_final_call() -> None:
    reply = scripted_reply(_conversation("hi", tools=(_final(),), tool_choice="none"))
    assert reply.calls == ()


def test_rules_json_reply_is_text_or_a_final_call(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    rule = {"when": {"structured": True}, "reply": {"json": {"name": "Ada"}}}
    path.write_text(json.dumps({"rules": [rule]}), encoding="utf-8")
    engine = load_rules(path)

    async def ask(conversation: Conversation) -> Reply:
        return await engine.reply(conversation)

    import asyncio

    as_text = asyncio.run(ask(_conversation("x", json_mode=True)))
    assert json.loads(as_text.text) == {"name": "Ada"}
    as_call = asyncio.run(ask(_conversation("x", tools=(_final(),))))
    assert as_call.calls == (Call("final_result", {"name": "Ada"}),)
    plain = asyncio.run(ask(_conversation("what model are you?")))
    assert "m" in plain.text and not plain.calls


def test_spoil_counts_only_structured_answers() -> None:
    knobs = Knobs(bad_json=1)
    plain = Reply(text="hello")
    assert spoil(plain, _conversation("x"), knobs) is plain
    assert knobs.bad_json == 1
    json_answer = Reply(text='{"a": 1, "b": 2}')
    spoiled = spoil(json_answer, _conversation("x", json_mode=True), knobs)
    assert knobs.bad_json == 0
    with pytest.raises(ValueError):
        json.loads(spoiled.text)


def test_bad_schema_drops_a_required_property_or_breaks_a_type() -> None:
    schema = {"type": "object", "properties": {"a": {}, "b": {}}, "required": ["b"]}
    conversation = _conversation("x", json_mode=True, json_schema=schema)
    spoiled = spoil(Reply(text='{"a": 1, "b": 2}'), conversation, Knobs(bad_schema=1))
    assert json.loads(spoiled.text) == {"a": 1}
    loose = _conversation("x", json_mode=True, json_schema={"type": "object"})
    broken = json.loads(spoil(Reply(text='{"a": 1}'), loose, Knobs(bad_schema=1)).text)
    assert broken["a"] != 1
