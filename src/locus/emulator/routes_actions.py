"""``POST /20231130/actions/embedText`` and ``/actions/rerankText`` (wire-spec §2.6)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from locus.emulator.conversation import count_words
from locus.emulator.errors import ApiError, bad_request
from locus.emulator.responses import Reset, error_response, json_response
from locus.emulator.routes_chat import prepare
from locus.emulator.service import Service, parse_body
from locus.emulator.serving import Target, resolve_serving
from locus.emulator.vectors import embed, relevance

__all__ = ["embed_text", "rerank_text"]

Answer = Callable[[Mapping[str, Any], Target], dict[str, Any]]
_EMBED_DIMENSIONS = 1024
_MAX_INPUTS = 96


async def embed_text(service: Service, request: Request) -> Response:
    """Embeddings for ``inputs`` (one vector per input)."""
    return await _action(service, request, "TEXT_EMBEDDINGS", _embeddings)


async def rerank_text(service: Service, request: Request) -> Response:
    """``documents`` ranked by relevance to ``input``."""
    return await _action(service, request, "TEXT_RERANK", _ranks)


async def _action(service: Service, request: Request, capability: str, answer: Answer) -> Response:
    arrived = time.monotonic()
    request_id = service.request_id(request)
    try:
        body = await request.body()
        service.authenticate(request, body)
        details = parse_body(body)
        target = resolve_serving(details, service.catalogue, service.compartment_id, service.region)
        if target.capability != capability:
            raise bad_request(f"model {target.model} does not support {capability}")
        result = answer(details, target)
        fault = service.faults.draw(target.fault_keys)
        if fault == "reset_before":
            return Reset(service.abort)
        await prepare(service, fault, arrived)
        return json_response(result, request_id)
    except ApiError as error:
        return error_response(error, request_id)


def _embeddings(details: Mapping[str, Any], target: Target) -> dict[str, Any]:
    inputs = details.get("inputs")
    if not isinstance(inputs, list) or not inputs or not all(isinstance(i, str) for i in inputs):
        raise bad_request("inputs must be a non-empty list of strings")
    if len(inputs) > _MAX_INPUTS:
        raise bad_request(f"at most {_MAX_INPUTS} inputs are allowed")
    dimensions = details.get("outputDimensions") or _EMBED_DIMENSIONS
    if isinstance(dimensions, bool) or not isinstance(dimensions, int) or dimensions < 1:
        raise bad_request("outputDimensions must be a positive integer")
    tokens = sum(count_words(text) for text in inputs)
    result: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "embeddings": [embed(text, dimensions) for text in inputs],
        "modelId": target.model,
        "modelVersion": target.version,
        "usage": {"promptTokens": tokens, "totalTokens": tokens},
    }
    if details.get("isEcho"):
        result["inputs"] = inputs
    return result


def _ranks(details: Mapping[str, Any], target: Target) -> dict[str, Any]:
    query = details.get("input")
    documents = details.get("documents")
    if not isinstance(query, str) or not query:
        raise bad_request("input is required")
    if not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
        raise bad_request("documents must be a list of strings")
    scored = sorted(
        ((relevance(query, doc), index) for index, doc in enumerate(documents)),
        key=lambda pair: (-pair[0], pair[1]),
    )
    top = details.get("topN") or len(scored)
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise bad_request("topN must be a positive integer")
    ranks = [
        {"index": index, "relevanceScore": score, "document": {"text": documents[index]}}
        for score, index in scored[:top]
    ]
    return {
        "id": str(uuid.uuid4()),
        "modelId": target.model,
        "modelVersion": target.version,
        "documentRanks": ranks,
    }
