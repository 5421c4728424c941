"""``OpenAIChatCodec``: the OpenAI chat-completions wire format as a codec object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from locus.core.response import ModelResponse
from locus.models._openai.decode import decode_openai_chat
from locus.models._openai.encode import encode_openai_chat
from locus.models._openai.stream import OpenAIStreamDecoder
from locus.models._wire.codec import ChatRequest
from locus.models._wire.structured import wire_params

__all__ = ["OpenAIChatCodec"]


class OpenAIChatCodec:
    """``POST <base>/chat/completions`` for one model (the compartment is not in the body)."""

    path = "/chat/completions"
    api_format = None

    def __init__(self, model_id: str, *, strict_output: bool = False) -> None:
        self.model_id = model_id
        self.strict_output = strict_output
        """Whether a typed ``response_format`` is sent strict (when its schema allows)."""

    def __repr__(self) -> str:
        return f"OpenAIChatCodec(model_id={self.model_id!r})"

    def encode(self, request: ChatRequest) -> dict[str, Any]:
        """The ``chat.completions`` request body."""
        return encode_openai_chat(
            model=self.model_id,
            messages=request.messages,
            tools=request.tools,
            params=wire_params(request.params, strict=self.strict_output),
            stream=request.stream,
        )

    def decode(self, body: Mapping[str, Any], request_id: str | None) -> ModelResponse:
        """A ``chat.completion`` answer."""
        return decode_openai_chat(body, request_id=request_id)

    def stream_decoder(self, request_id: str | None) -> OpenAIStreamDecoder:
        """A decoder for ``chat.completion.chunk`` events."""
        return OpenAIStreamDecoder(model_id=self.model_id, request_id=request_id)
