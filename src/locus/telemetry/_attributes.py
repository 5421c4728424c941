"""Span attributes per the OpenTelemetry GenAI semantic conventions, and OCI's own.

Everything here reads public attributes of a model (duck-typed: ``model_id``, ``dedicated``,
``connection.region``, ``endpoint``) and of the core data types; nothing is sent or
imported from the providers. Message contents are serialised only when the caller opted
in; no header, key or token is ever read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from locus.core.messages import Message
from locus.core.response import ModelResponse

__all__ = [
    "OCI_PROVIDER",
    "chat_attributes",
    "messages_json",
    "model_attributes",
    "provider_of",
    "response_attributes",
    "usage_attributes",
]

OCI_PROVIDER = "oci.genai"
"""``gen_ai.provider.name`` for OCI Generative AI: the conventions' registry lists no
value for it, so this follows the ``<cloud>.<service>`` form of its well-known values
(``aws.bedrock``, ``azure.ai.inference``, ``gcp.vertex_ai``)."""

_PARAMS = {
    "temperature": "gen_ai.request.temperature",
    "max_tokens": "gen_ai.request.max_tokens",
    "top_p": "gen_ai.request.top_p",
    "top_k": "gen_ai.request.top_k",
    "frequency_penalty": "gen_ai.request.frequency_penalty",
    "presence_penalty": "gen_ai.request.presence_penalty",
    "seed": "gen_ai.request.seed",
}


def provider_of(model: object) -> str:
    """``gen_ai.provider.name`` for a model: ``oci.genai`` for Locus's OCI classes,
    ``openai`` for an OpenAI-compatible server, else the model's module."""
    module = type(model).__module__
    if module.startswith("locus.models.providers.oci"):
        return OCI_PROVIDER
    if module.startswith("locus.models.openai_compatible"):
        return "openai"
    return module.split(".")[0] if not module.startswith("locus.") else module


def model_attributes(model: object) -> dict[str, Any]:
    """Provider, model and the OCI place of a model (only what it already knows)."""
    model_id = getattr(model, "model_id", None)
    attributes: dict[str, Any] = {"gen_ai.provider.name": provider_of(model)}
    if isinstance(model_id, str):
        attributes["gen_ai.request.model"] = model_id
    dedicated = getattr(model, "dedicated", None)
    if isinstance(dedicated, bool):
        attributes["oci.serving_mode"] = "DEDICATED" if dedicated else "ON_DEMAND"
        if dedicated and isinstance(model_id, str):
            attributes["oci.endpoint_id"] = model_id
    region = getattr(getattr(model, "connection", None), "region", None)
    if isinstance(region, str) and region:
        attributes["cloud.region"] = region
    attributes.update(_server(model))
    return attributes


def _server(model: object) -> dict[str, Any]:
    try:
        endpoint = getattr(model, "endpoint", None)
    except Exception:  # an endpoint not known before the first call
        return {}
    if not isinstance(endpoint, str) or "://" not in endpoint:
        return {}
    parts = urlsplit(endpoint)
    found: dict[str, Any] = {}
    if parts.hostname:
        found["server.address"] = parts.hostname
        found["server.port"] = parts.port or (443 if parts.scheme == "https" else 80)
    return found


def chat_attributes(params: Mapping[str, Any]) -> dict[str, Any]:
    """``gen_ai.request.*`` from the call's generation parameters."""
    found: dict[str, Any] = {}
    for name, key in _PARAMS.items():
        value = params.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            found[key] = value
    stop = params.get("stop")
    if isinstance(stop, list | tuple) and all(isinstance(s, str) for s in stop):
        found["gen_ai.request.stop_sequences"] = list(stop)
    return found


def response_attributes(response: ModelResponse) -> dict[str, Any]:
    """``gen_ai.response.*``, ``gen_ai.usage.*`` and ``oci.request_id`` of one answer."""
    found = usage_attributes(response.usage)
    reason = response.stop_reason or response.raw_stop_reason
    if reason:
        found["gen_ai.response.finish_reasons"] = [str(reason)]
    if response.model_id:
        found["gen_ai.response.model"] = response.model_id
    if response.request_id:
        found["oci.request_id"] = response.request_id
        found["gen_ai.response.id"] = response.request_id
    return found


def usage_attributes(usage: Mapping[str, int]) -> dict[str, Any]:
    """``gen_ai.usage.input_tokens`` / ``output_tokens``, where the provider reported them."""
    found: dict[str, Any] = {}
    if "prompt_tokens" in usage:
        found["gen_ai.usage.input_tokens"] = usage["prompt_tokens"]
    if "completion_tokens" in usage:
        found["gen_ai.usage.output_tokens"] = usage["completion_tokens"]
    return found


def messages_json(messages: Iterable[Message]) -> str:
    """Messages in the conventions' ``gen_ai.*.messages`` shape (role and parts), as JSON."""
    return json.dumps([_message(m) for m in messages], ensure_ascii=False, default=str)


def _message(message: Message) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if message.role == "tool":
        parts.append(
            {"type": "tool_call_response", "id": message.tool_call_id, "response": message.content}
        )
    elif message.content:
        parts.append({"type": "text", "content": message.content})
    for call in message.tool_calls:
        parts.append(
            {"type": "tool_call", "id": call.id, "name": call.name, "arguments": call.arguments}
        )
    return {"role": message.role, "parts": parts}
