"""``OCIChatCodec``: the native chat API's wire format (GENERIC, COHERE or COHEREV2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from locus.core._native_output import NativeOutputSupport, native_output_for
from locus.core.errors import ConfigurationError
from locus.core.response import ModelResponse
from locus.models._wire.codec import ChatRequest
from locus.models._wire.structured import wire_params
from locus.models.providers.oci._formats.api_format import (
    ApiFormat,
    default_api_format,
    parse_api_format,
    serving_mode,
)
from locus.models.providers.oci._formats.chat import decode_chat_result, encode_chat_details
from locus.models.providers.oci._formats.stream import ChatStreamDecoder

__all__ = ["OCIChatCodec"]


class OCIChatCodec:
    """``POST /20231130/actions/chat`` for one model: ``ChatDetails`` out, ``ChatResult`` in.

    ``api_format`` defaults to the model family's (``default_api_format``); a DAC
    (``dedicated``) is addressed by its endpoint OCID, an on-demand model by name.
    """

    path = "/20231130/actions/chat"
    grounded = True
    """Takes a call's ``documents`` (sent by COHERE and COHEREV2, refused by GENERIC)."""

    def __init__(
        self, model_id: str, api_format: ApiFormat | str | None = None, *, dedicated: bool
    ) -> None:
        self.model_id = model_id
        self.api_format = (
            default_api_format(model_id) if api_format is None else parse_api_format(api_format)
        )
        self.serving_mode = serving_mode(model_id, dedicated=dedicated)
        self.native_output: NativeOutputSupport | None = native_output_for(
            model_id, self.api_format.value, dedicated=dedicated
        )
        """The native structured output of the model (the family table; a DAC: ``None``)."""

    def __repr__(self) -> str:
        return f"OCIChatCodec(model_id={self.model_id!r}, api_format={self.api_format.value})"

    def encode(self, request: ChatRequest) -> dict[str, Any]:
        """The ``ChatDetails`` body (the compartment is part of it)."""
        if not request.compartment_id:
            raise ConfigurationError("the OCI chat API needs a compartment_id")
        return encode_chat_details(
            compartment_id=request.compartment_id,
            serving_mode=self.serving_mode,
            api_format=self.api_format,
            messages=request.messages,
            tools=request.tools,
            params=wire_params(request.params, strict=self.native_output == "strict"),
            stream=request.stream,
            grounding=request.grounding,
        )

    def decode(self, body: Mapping[str, Any], request_id: str | None) -> ModelResponse:
        """A ``ChatResult`` (its own ``apiFormat`` picks the decoder)."""
        return decode_chat_result(body, request_id=request_id)

    def stream_decoder(self, request_id: str | None) -> ChatStreamDecoder:
        """A decoder for this format's stream events (the request id is set afterwards)."""
        return ChatStreamDecoder(self.api_format, model_id=self.model_id)
