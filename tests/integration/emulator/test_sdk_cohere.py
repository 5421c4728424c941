"""The official oci SDK drives COHERE and COHEREV2 chats (on-demand and DAC, both modes)."""

from __future__ import annotations

import json

from locus.emulator import Emulator

from ._helpers import MODELS, SEED_PROMPT, dedicated, details, events, on_demand, sdk_client

_ADD = MODELS.CohereTool(
    name="add_two_numbers",
    description="Return the sum of two integers.",
    parameter_definitions={
        "a": MODELS.CohereParameterDefinition(type="int", is_required=True),
        "b": MODELS.CohereParameterDefinition(type="int", is_required=True),
    },
)


def _v2_tool() -> object:
    return MODELS.CohereToolV2(
        function=MODELS.Function(
            name="add_two_numbers",
            description="Return the sum of two integers.",
            parameters={
                "type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            },
        )
    )


def _v2_user(text: str) -> object:
    return MODELS.CohereUserMessageV2(content=[MODELS.CohereTextContentV2(text=text)])


def test_cohere_chat_on_demand(oci_emulator: Emulator) -> None:
    request = MODELS.CohereChatRequest(message="What model are you?")
    result = (
        sdk_client(oci_emulator)
        .chat(details(oci_emulator, on_demand("cohere.command-r-plus-08-2024"), request))
        .data
    )
    response = result.chat_response
    assert isinstance(response, MODELS.CohereChatResponse)
    assert "cohere.command-r-plus-08-2024" in response.text
    assert response.finish_reason == "COMPLETE"
    assert [m.role for m in response.chat_history] == ["USER", "CHATBOT"]
    assert response.usage.total_tokens > 0


def test_cohere_stream_repeats_full_text_on_finish(oci_emulator: Emulator) -> None:
    request = MODELS.CohereChatRequest(
        message="Count from 1 to 5, separated by commas.",
        is_stream=True,
        stream_options=MODELS.StreamOptions(is_include_usage=True),
    )
    received = events(
        sdk_client(oci_emulator).chat(
            details(oci_emulator, on_demand("cohere.command-r-plus-08-2024"), request)
        )
    )
    deltas = [e["text"] for e in received if "finishReason" not in e]
    assert len(deltas) >= 3 and "".join(deltas) == "1, 2, 3, 4, 5"
    final = received[-1]
    assert final["apiFormat"] == "COHERE" and final["finishReason"] == "COMPLETE"
    assert final["text"] == "1, 2, 3, 4, 5"
    assert final["chatHistory"][-1] == {"role": "CHATBOT", "message": "1, 2, 3, 4, 5"}
    assert final["usage"]["completionTokens"] == 5


def test_cohere_dac_tool_call_then_result(oci_emulator: Emulator) -> None:
    endpoint = oci_emulator.endpoint("cohere")
    assert endpoint["api_format"] == "COHERE"
    client = sdk_client(oci_emulator)
    first = MODELS.CohereChatRequest(message=SEED_PROMPT, tools=[_ADD])
    response = client.chat(details(oci_emulator, dedicated(endpoint["ocid"]), first)).data
    calls = response.chat_response.tool_calls
    assert [(c.name, c.parameters) for c in calls] == [("add_two_numbers", {"a": 7, "b": 35})]
    assert response.chat_response.finish_reason == "COMPLETE"
    second = MODELS.CohereChatRequest(
        message="",
        chat_history=[
            MODELS.CohereUserMessage(message=SEED_PROMPT),
            MODELS.CohereChatBotMessage(tool_calls=calls),
        ],
        tools=[_ADD],
        tool_results=[MODELS.CohereToolResult(call=calls[0], outputs=[{"result": 42}])],
    )
    answer = client.chat(details(oci_emulator, dedicated(endpoint["ocid"]), second)).data
    assert "42" in answer.chat_response.text


def test_coherev2_chat_on_demand(oci_emulator: Emulator) -> None:
    request = MODELS.CohereChatRequestV2(messages=[_v2_user("Which model are you?")])
    result = (
        sdk_client(oci_emulator)
        .chat(details(oci_emulator, on_demand("cohere.command-a-03-2025"), request))
        .data
    )
    response = result.chat_response
    assert isinstance(response, MODELS.CohereChatResponseV2)
    assert "cohere.command-a-03-2025" in response.message.content[0].text
    assert response.finish_reason == "COMPLETE"
    assert response.id


def test_coherev2_stream_and_tool_call_on_dac(oci_emulator: Emulator) -> None:
    endpoint = oci_emulator.endpoint("cohere")
    request = MODELS.CohereChatRequestV2(
        messages=[_v2_user(SEED_PROMPT)], tools=[_v2_tool()], is_stream=True
    )
    received = events(
        sdk_client(oci_emulator).chat(details(oci_emulator, dedicated(endpoint["ocid"]), request))
    )
    call = received[0]["message"]["toolCalls"][0]
    assert call["function"]["name"] == "add_two_numbers"
    assert json.loads(call["function"]["arguments"]) == {"a": 7, "b": 35}
    assert received[-1] == {
        "apiFormat": "COHEREV2",
        "message": {"role": "ASSISTANT"},
        "finishReason": "TOOL_CALL",
    }


def test_coherev2_text_stream_deltas(oci_emulator: Emulator) -> None:
    request = MODELS.CohereChatRequestV2(
        messages=[_v2_user("Count from 1 to 5, separated by commas.")], is_stream=True
    )
    received = events(
        sdk_client(oci_emulator).chat(
            details(oci_emulator, on_demand("cohere.command-a-03-2025"), request)
        )
    )
    texts = [e["message"]["content"][0]["text"] for e in received if "finishReason" not in e]
    assert len(texts) >= 3 and "".join(texts) == "1, 2, 3, 4, 5"
    assert received[-1]["finishReason"] == "COMPLETE"


def test_coherev2_tool_result_is_stated(oci_emulator: Emulator) -> None:
    call = MODELS.CohereToolCallV2(
        id="call_1", type="FUNCTION", function={"name": "add_two_numbers", "arguments": "{}"}
    )
    request = MODELS.CohereChatRequestV2(
        messages=[
            _v2_user(SEED_PROMPT),
            MODELS.CohereAssistantMessageV2(content=[], tool_calls=[call]),
            MODELS.CohereToolMessageV2(
                tool_call_id="call_1", content=[MODELS.CohereTextContentV2(text="42")]
            ),
        ],
        tools=[_v2_tool()],
    )
    result = (
        sdk_client(oci_emulator)
        .chat(details(oci_emulator, on_demand("cohere.command-a-03-2025"), request))
        .data
    )
    assert result.chat_response.message.content[0].text == "The result of add_two_numbers is 42."
    assert result.chat_response.finish_reason == "COMPLETE"
