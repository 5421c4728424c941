"""A stream whose events say ``apiFormat: COHERE`` keeps its tool calls, whatever format
the decoder was made for.

Found by fuzzing the stream decoders against the whole-answer decoders
(tests/fuzz/fuzz_stream_vs_whole.py): ``ChatStreamDecoder`` follows each event's
declared format (a DAC defaults to GENERIC, and does not say which model it hosts), and
took a COHERE event's text, but its calls only when it was made for COHERE: a GENERIC
decoder dropped them, while ``complete()`` (which reads ``chatResponse.apiFormat``)
returned them.
"""

from __future__ import annotations

from typing import Any

import pytest

from locus.core.messages import ToolCall
from locus.models.providers.oci._formats import ApiFormat, ChatStreamDecoder, decode_chat_result

CALLS = [{"name": "get_weather", "parameters": {"city": "Paris"}}]
END = {
    "apiFormat": "COHERE",
    "text": "Let me check.",
    "toolCalls": CALLS,
    "finishReason": "COMPLETE",
}


@pytest.mark.parametrize("api_format", list(ApiFormat))
def test_declared_cohere_stream_keeps_its_calls(api_format: ApiFormat) -> None:
    decoder = ChatStreamDecoder(api_format)
    decoder.feed({"apiFormat": "COHERE", "text": "Let me check."})
    decoder.feed(END)
    final = decoder.close()
    whole = decode_chat_result({"chatResponse": END})
    assert named(final.tool_calls) == named(whole.tool_calls) != []
    assert all(call.id.startswith("cohere_call_") for call in final.tool_calls)
    assert final.response is not None
    shown = final.response.message
    assert (shown.content, named(shown.tool_calls)) == (
        whole.message.content,
        named(whole.tool_calls),
    )


def named(calls: list[ToolCall]) -> list[tuple[str, dict[str, Any]]]:
    """The calls without their ids (Locus gives Cohere's calls random ones)."""
    return [(call.name, call.arguments) for call in calls]
