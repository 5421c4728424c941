"""A character cut between two stream events arrives whole; text is always valid Unicode.

Servers whose strings are UTF-16 (Java, JavaScript) may cut a delta between the two
halves of a character outside the BMP: one event's text ends ``"\\ud83d"``, the next
starts ``"\\ude00"``. Python decodes each to a lone surrogate and never joins them, so
the answer held two code points that are not a character and ``print`` (or any UTF-8
encoding: a thread store, an HTTP response) raised ``UnicodeEncodeError``. The events
here are decoded from their JSON text by the function the SSE reader uses.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from locus.models._openai import OpenAIStreamDecoder
from locus.models._openai.decode import decode_openai_chat
from locus.models._wire.accumulator import StreamAccumulator
from locus.models._wire.json_text import loads_server_json
from locus.models._wire.surrogates import HeldHalf, whole_text
from locus.models.providers.oci._formats import ChatStreamDecoder

EMOJI = "\U0001f600"  # 😀: \ud83d \ude00 in UTF-16


def units(text: str) -> list[str]:
    """``text`` as its UTF-16 code units, each a one-character string."""
    data = text.encode("utf-16-le")
    return [chr(int.from_bytes(data[i : i + 2], "little")) for i in range(0, len(data), 2)]


def wire(piece: str) -> str:
    """A JSON string of ``piece`` as a UTF-16 server writes it (``\\uXXXX`` escapes)."""
    return json.dumps(piece, ensure_ascii=True)


def generic_event(text: str = "", reasoning: str = "", finish: str | None = None) -> Any:
    message: dict[str, Any] = {"role": "ASSISTANT"}
    if text:
        message["content"] = [{"type": "TEXT", "text": "@T"}]
    if reasoning:
        message["reasoningContent"] = "@R"
    event: dict[str, Any] = {"index": 0, "message": message}
    if finish:
        event["finishReason"] = finish
    raw = json.dumps(event).replace('"@T"', wire(text)).replace('"@R"', wire(reasoning))
    return loads_server_json(raw)


def stream(decoder: StreamAccumulator, events: list[Any]) -> tuple[list[str], list[str], Any]:
    texts: list[str] = []
    thoughts: list[str] = []
    for event in events:
        for out in decoder.feed(event):
            if out.content:
                texts.append(out.content)
            if out.reasoning:
                thoughts.append(out.reasoning)
    return texts, thoughts, decoder.close().response


def test_an_emoji_cut_between_two_generic_events_is_passed_on_whole() -> None:
    high, low = units(EMOJI)
    events = [generic_event("Done " + high), generic_event(low + " see you"), generic_event()]
    events.append(generic_event(finish="stop"))
    texts, _, response = stream(ChatStreamDecoder("GENERIC"), events)
    assert texts == ["Done ", EMOJI + " see you"]
    assert response.message.text == f"Done {EMOJI} see you"
    response.message.text.encode("utf-8")  # (raised UnicodeEncodeError)


def test_a_lone_half_becomes_the_replacement_character_in_its_place() -> None:
    high, low = units(EMOJI)
    events = [generic_event("a" + high), generic_event("b"), generic_event(low + "c")]
    events += [generic_event("d" + high), generic_event(finish="stop")]
    texts, _, response = stream(ChatStreamDecoder("GENERIC"), events)
    assert texts == ["a", "\ufffdb", "\ufffdc", "d"]  # (in order: nothing waits past a delta)
    assert response.message.text == "a\ufffdb\ufffdcd\ufffd"  # the last half never got its pair


def test_reasoning_is_joined_apart_from_the_text() -> None:
    high, low = units(EMOJI)
    events = [generic_event(reasoning="think " + high, text="say " + high)]
    events += [generic_event(reasoning=low, text=low), generic_event(finish="stop")]
    texts, thoughts, response = stream(ChatStreamDecoder("GENERIC"), events)
    assert "".join(texts) == response.message.text == "say " + EMOJI
    assert "".join(thoughts) == response.message.reasoning == "think " + EMOJI


def test_the_finish_event_text_takes_what_was_held() -> None:
    high, low = units(EMOJI)
    events = [generic_event("x" + high), generic_event(low, finish="stop")]
    texts, _, response = stream(ChatStreamDecoder("GENERIC"), events)
    assert texts == ["x", EMOJI] and response.message.text == "x" + EMOJI


def test_cohere_terminal_text_replaces_a_held_half() -> None:
    high = units(EMOJI)[0]

    def event(text: str, finish: str | None = None) -> Any:
        body = {"apiFormat": "COHERE", "text": "@T"}
        if finish:
            body["finishReason"] = finish
        return loads_server_json(json.dumps(body).replace('"@T"', wire(text)))

    events = [event("hi " + high), event(f"hi {EMOJI}", finish="COMPLETE")]
    texts, _, response = stream(ChatStreamDecoder("COHERE"), events)
    assert "".join(texts) == response.message.text == f"hi {EMOJI}"


def test_openai_chunks_are_joined_the_same_way() -> None:
    high, low = units("\U00020bb7")  # a CJK ideograph outside the BMP

    def chunk(text: str, finish: str | None = None) -> Any:
        delta = {"content": "@T"} if text else {}
        body = {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return loads_server_json(json.dumps(body).replace('"@T"', wire(text)))

    texts, _, response = stream(OpenAIStreamDecoder(), [chunk(high), chunk(low), chunk("", "stop")])
    assert texts == ["\U00020bb7"] and response.message.text == "\U00020bb7"


def test_a_whole_answer_with_a_lone_escape_is_valid_text() -> None:
    body = '{"choices": [{"index": 0, "finish_reason": "stop", "message": '
    body += '{"role": "assistant", "content": "ok \\ud83d"}}]}'
    response = decode_openai_chat(loads_server_json(body))
    assert response.message.text == "ok \ufffd"


def test_tool_call_arguments_cut_inside_a_character_are_joined() -> None:
    high, low = units(EMOJI)
    pieces = ['{"note": "smile ' + high, low + '"}']
    decoder = ChatStreamDecoder("GENERIC")
    for n, piece in enumerate(pieces):
        call: dict[str, Any] = {"type": "FUNCTION", "arguments": "@A"}
        if n == 0:
            call.update(id="c1", name="remember")
        body = {"index": 0, "message": {"role": "ASSISTANT", "toolCalls": [call]}}
        decoder.feed(loads_server_json(json.dumps(body).replace('"@A"', wire(piece))))
    decoder.feed({"index": 0, "finishReason": "tool_calls"})
    assert [c.arguments for c in decoder.close().tool_calls] == [{"note": "smile " + EMOJI}]


def test_ascii_and_valid_text_come_back_as_the_same_object() -> None:
    for text in ("plain", "café ☕ " + EMOJI, ""):
        assert whole_text(text) is text
    held = HeldHalf()
    assert held.take("plain") == "plain" and held.rest() == ""


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(
        st.one_of(
            st.characters(codec="utf-8"),
            st.sampled_from([EMOJI, "\U0001f9d1\u200d\U0001f4bb", "\U00020bb7", "é"]),
        ),
        max_size=30,
    ).map("".join),
    cuts=st.lists(st.integers(0, 80), max_size=10),
)
def test_any_cut_of_the_utf16_units_streams_back_the_text(text: str, cuts: list[int]) -> None:
    """Whatever code unit a server cuts at, the deltas join to the text, each delta is
    valid Unicode, and the final answer is the text."""
    code = units(text)
    bounds = sorted({0, len(code), *(c for c in cuts if c <= len(code))})
    pieces = ["".join(code[a:b]) for a, b in itertools.pairwise(bounds)]
    events = [generic_event(piece) for piece in pieces] + [generic_event(finish="stop")]
    texts, _, response = stream(ChatStreamDecoder("GENERIC"), events)
    for piece in texts:
        piece.encode("utf-8")
    assert "".join(texts) == text
    assert (response.message.text or "") == text
