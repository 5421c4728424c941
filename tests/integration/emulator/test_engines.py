"""Rules files and the forwarding engine, driven through the official oci SDK."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import oci
import pytest

from locus.emulator import Emulator

from ._helpers import (
    MODELS,
    SEED_PROMPT,
    add_tool,
    dedicated,
    details,
    events,
    on_demand,
    sdk_client,
    user_text,
)

RULES = """
rules:
  - when: {contains: "weather", tool_results: false}
    reply:
      tool_calls: [{name: get_weather, arguments: {city: Paris}}]
  - when: {tool_results: true, model: "xai.*"}
    reply: {text: "It is {results} in Paris, says {model}."}
  - when: {regex: "^ping$"}
    reply: {text: "pong"}
    times: 1
"""


def _weather_tool() -> object:
    return MODELS.FunctionDefinition(
        name="get_weather",
        parameters={"type": "object", "properties": {"city": {"type": "string"}}},
    )


def _chat(emu: Emulator, *messages: object, model: str = "xai.grok-4", **fields: object) -> Any:
    request = MODELS.GenericChatRequest(messages=list(messages), **fields)
    return sdk_client(emu).chat(details(emu, on_demand(model), request))


def test_rules_file_scripts_tool_calls_and_replies(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    with Emulator(rules=rules) as emu:
        first = _chat(emu, user_text("What's the weather?"), tools=[_weather_tool()]).data
        call = first.chat_response.choices[0].message.tool_calls[0]
        assert (call.name, json.loads(call.arguments)) == ("get_weather", {"city": "Paris"})
        result = MODELS.ToolMessage(
            tool_call_id=call.id, content=[MODELS.TextContent(text="sunny")]
        )
        assistant = MODELS.AssistantMessage(tool_calls=[call])
        second = _chat(emu, user_text("What's the weather?"), assistant, result).data
        text = second.chat_response.choices[0].message.content[0].text
        assert text == "It is sunny in Paris, says xai.grok-4."
        assert _text(_chat(emu, user_text("ping"))) == "pong"
        assert "pong" not in _text(_chat(emu, user_text("ping")))  # times: 1, then scripted


def test_rules_replies_stream_like_any_other(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"rules": [{"reply": {"text": "always this answer"}}]}))
    with Emulator(rules=rules) as emu:
        response = _chat(emu, user_text("anything"), is_stream=True)
        received = events(response)
        assert "".join(e["message"]["content"][0]["text"] for e in received) == "always this answer"


def test_forwarding_engine_speaks_oci_for_an_openai_backend(oci_emulator: Emulator) -> None:
    backend = oci_emulator.url + "/openai/v1"
    with Emulator(
        backend=backend, backend_model="openai.gpt-oss-120b", backend_api_key=oci_emulator.api_key
    ) as front:
        hermes = front.endpoint("hermes")["ocid"]
        request = MODELS.GenericChatRequest(messages=[user_text(SEED_PROMPT)], tools=[add_tool()])
        choice = (
            sdk_client(front)
            .chat(details(front, dedicated(hermes), request))
            .data.chat_response.choices[0]
        )
        text = choice.message.content[0].text
        assert text.startswith("<tool_call>") and '"a": 7, "b": 35' in text
        streamed = _chat(
            front, user_text("Count from 1 to 5, separated by commas."), is_stream=True
        )
        deltas = [e["message"]["content"][0]["text"] for e in events(streamed)]
        assert "".join(deltas) == "1, 2, 3, 4, 5"


def test_forwarding_to_an_unreachable_backend_is_a_500() -> None:
    with Emulator(backend="http://127.0.0.1:9/v1") as front:
        with pytest.raises(oci.exceptions.ServiceError) as caught:
            _chat(front, user_text("hi"))
        assert (caught.value.status, caught.value.code) == (500, "InternalServerError")


def _text(response: Any) -> str:
    return str(response.data.chat_response.choices[0].message.content[0].text)
