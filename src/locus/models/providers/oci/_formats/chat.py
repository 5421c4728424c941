"""The ``ChatDetails`` request body and the ``ChatResult`` answer, for every API format."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from locus.core._grounding import Grounding
from locus.core.errors import ResponseError
from locus.core.messages import Message
from locus.core.params import GenerationParams
from locus.core.response import ModelResponse
from locus.core.toolspec import ToolSpec
from locus.models._wire.shape import ShapeError, opt_map, opt_str
from locus.models.providers.oci._formats.api_format import ApiFormat, parse_api_format
from locus.models.providers.oci._formats.citations import grounding_fields
from locus.models.providers.oci._formats.cohere import (
    decode_cohere_response,
    encode_cohere_request,
)
from locus.models.providers.oci._formats.cohere_v2 import (
    decode_cohere_v2_response,
    encode_cohere_v2_request,
)
from locus.models.providers.oci._formats.generic import (
    decode_generic_response,
    encode_generic_request,
)

__all__ = ["decode_chat_result", "encode_chat_details", "reported_error"]

_Encoder = Callable[[Sequence[Message], Sequence[ToolSpec], GenerationParams, bool], dict[str, Any]]
_Decoder = Callable[[Mapping[str, Any], str | None, str | None], ModelResponse]

_ENCODERS: dict[ApiFormat, _Encoder] = {
    ApiFormat.GENERIC: encode_generic_request,
    ApiFormat.COHERE: encode_cohere_request,
    ApiFormat.COHEREV2: encode_cohere_v2_request,
}
_DECODERS: dict[str, _Decoder] = {
    "GENERIC": decode_generic_response,
    "COHERE": decode_cohere_response,
    "COHEREV2": decode_cohere_v2_response,
}


def encode_chat_details(
    *,
    compartment_id: str,
    serving_mode: dict[str, Any],
    api_format: ApiFormat,
    messages: Sequence[Message],
    tools: Sequence[ToolSpec],
    params: GenerationParams,
    stream: bool,
    grounding: Grounding | None = None,
) -> dict[str, Any]:
    """The whole ``POST /actions/chat`` body (camelCase; unset fields omitted).

    ``isStream`` is always sent; ``stream=True`` also asks for the usage event.
    ``grounding`` adds the call's ``documents`` (COHERE, COHEREV2; ``params.extra`` still
    comes last). ``ConfigurationError`` when the request cannot be said in ``api_format``.
    """
    api_format = parse_api_format(api_format)
    documents = grounding_fields(api_format, grounding)
    chat = _ENCODERS[api_format](messages, tools, params, stream)
    if documents:
        chat.update(documents)
        chat.update(params.extra)
    return {
        "compartmentId": compartment_id,
        "servingMode": dict(serving_mode),
        "chatRequest": chat,
    }


def decode_chat_result(body: Mapping[str, Any], *, request_id: str | None = None) -> ModelResponse:
    """A ``ChatResult`` as a ``ModelResponse``, dispatched on ``chatResponse.apiFormat``.

    ``ResponseError`` when the body has a shape that makes no sense, or when the model
    reported an error (``finishReason`` ERROR with an ``errorMessage``).
    """
    if not isinstance(body, Mapping):
        raise ResponseError(f"chat result should be a JSON object, got {type(body).__name__}")
    try:
        return _decode(body, request_id)
    except ShapeError as exc:
        raise ResponseError(f"malformed OCI chat result: {exc}") from exc


def _decode(body: Mapping[str, Any], request_id: str | None) -> ModelResponse:
    chat = opt_map(body, "chatResponse", "result")
    if chat is None:
        raise ShapeError("the result has no chatResponse")
    api_format = opt_str(chat, "apiFormat", "chatResponse")
    decoder = _DECODERS.get(api_format or "")
    if decoder is None:
        raise ShapeError(f"unknown chatResponse.apiFormat {api_format!r}")
    problem = reported_error(chat)
    if problem is not None:
        raise ResponseError(f"the model reported an error: {problem}")
    return decoder(chat, opt_str(body, "modelId", "result"), request_id)


def reported_error(obj: Mapping[str, Any]) -> str | None:
    """``errorMessage`` of a response or stream event that finished with ERROR."""
    message = opt_str(obj, "errorMessage", "chatResponse")
    reason = opt_str(obj, "finishReason", "chatResponse")
    if message and (reason is None or reason.upper() == "ERROR"):
        return message
    return None
