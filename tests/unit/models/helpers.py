"""Small builders shared by the codec tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from locus.core.messages import Message
from locus.core.params import GenerationParams
from locus.core.toolspec import ToolSpec
from locus.models.providers.oci._formats import ApiFormat, encode_chat_details, serving_mode

WEATHER = ToolSpec(
    "get_weather",
    "Get weather",
    {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name"},
            "days": {"type": "integer"},
            "unit": {"type": "string", "enum": ["c", "f"]},
        },
        "required": ["city"],
    },
)


def chat_request(
    api_format: ApiFormat,
    messages: Sequence[Message],
    *,
    tools: Sequence[ToolSpec] = (),
    params: GenerationParams | None = None,
    stream: bool = False,
) -> dict[str, Any]:
    """The ``chatRequest`` part of an encoded body."""
    body = encode_chat_details(
        compartment_id="ocid1.compartment.oc1..c",
        serving_mode=serving_mode("m", dedicated=False),
        api_format=api_format,
        messages=messages,
        tools=tools,
        params=params or GenerationParams(),
        stream=stream,
    )
    request: dict[str, Any] = body["chatRequest"]
    return request


def chat_result(chat_response: dict[str, Any]) -> dict[str, Any]:
    """A ``ChatResult`` body around a ``chatResponse``."""
    return {"modelId": "m", "modelVersion": "1", "chatResponse": chat_response}
