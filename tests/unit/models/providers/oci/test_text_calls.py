"""Text tool calls (Hermes style) parsed out of DAC answers, whole and streamed."""

from __future__ import annotations

from pathlib import Path

import httpx

from locus.core.messages import Message

from .http_helpers import ADD, chat_result, delta, make_model, sse


async def test_hermes_text_calls_become_tool_calls(oci_dir: Path) -> None:
    text = 'Sure.<tool_call>{"name": "add_two_numbers", "arguments": {"a": 7, "b": 35}}</tool_call>'
    model = make_model(oci_dir, lambda r: httpx.Response(200, json=chat_result(text)))
    response = await model.complete([Message.user("add 7 and 35")], tools=[ADD])
    assert response.text == "Sure."
    assert [(c.name, c.arguments) for c in response.tool_calls] == [
        ("add_two_numbers", {"a": 7, "b": 35})
    ]
    assert response.stop_reason == "tool_calls"


async def test_text_calls_off_or_without_tools_leave_text_alone(oci_dir: Path) -> None:
    text = '<tool_call>{"name": "add_two_numbers", "arguments": {"a": 1}}</tool_call>'
    off = make_model(
        oci_dir, lambda r: httpx.Response(200, json=chat_result(text)), tool_call_format=None
    )
    assert (await off.complete([Message.user("x")], tools=[ADD])).text == text
    auto = make_model(oci_dir, lambda r: httpx.Response(200, json=chat_result(text)))
    assert (await auto.complete([Message.user("x")])).text == text


async def test_stream_never_shows_markup(oci_dir: Path) -> None:
    pieces = [
        "Ok <tool",
        '_call>{"name": "add_two_numbers", ',
        '"arguments": {"a": 7, "b": 35}}',
        "</tool_call>",
    ]
    events = [delta(p) for p in pieces] + [delta("", finishReason="stop")]
    headers = {"content-type": "text/event-stream"}
    model = make_model(
        oci_dir, lambda r: httpx.Response(200, headers=headers, content=sse(*events))
    )
    out = [e async for e in model.stream([Message.user("add")], tools=[ADD])]
    shown = "".join(e.content or "" for e in out)
    assert "<tool" not in shown and shown.strip() == "Ok"
    final = out[-1]
    assert final.done and [c.arguments for c in final.tool_calls] == [{"a": 7, "b": 35}]
    assert final.response is not None and final.response.tool_calls == final.tool_calls
    assert final.stop_reason == "tool_calls"
