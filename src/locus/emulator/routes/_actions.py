"""``POST /20231130/actions/embedText`` and ``/actions/rerankText`` (wire-spec §2.6).

Embeddings are deterministic per (model, text, input type) and similar for texts sharing
words; rerank scores come from the same word features (``engines._vectors``). The limits
of each embed model are in ``_embed_rules``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from locus.emulator._conversation import count_words
from locus.emulator._errors import bad_request
from locus.emulator._faults import Fault
from locus.emulator.engines import embed, relevance
from locus.emulator.routes._answer import Arrival, first_byte, guarded
from locus.emulator.routes._embed_rules import checked_inputs, dimensions_of, rules_for
from locus.emulator.routes._service import Service, parse_body
from locus.emulator.routes._target import Target, resolve_serving
from locus.emulator.wire import Reset, json_response

__all__ = ["embed_text", "rerank_text"]

Answer = Callable[[Mapping[str, Any], Target], dict[str, Any]]


@guarded()
async def embed_text(service: Service, request: Request, arrival: Arrival) -> Response:
    """Embeddings for ``inputs`` (one vector per input)."""
    return await _action(service, request, arrival, "TEXT_EMBEDDINGS", _embeddings)


@guarded()
async def rerank_text(service: Service, request: Request, arrival: Arrival) -> Response:
    """``documents`` ranked by relevance to ``input``."""
    return await _action(service, request, arrival, "TEXT_RERANK", _ranks)


async def _action(
    service: Service, request: Request, arrival: Arrival, capability: str, answer: Answer
) -> Response:
    body = await request.body()
    service.authenticate(request, body)
    details = parse_body(body)
    target = resolve_serving(details, service.catalogue, service.compartment_id, service.region)
    if target.capability != capability:
        raise bad_request(f"model {target.model} does not support {capability}")
    result = answer(details, target)
    if await first_byte(service, target.fault_keys, arrival) is Fault.RESET_BEFORE:
        return Reset(service.hooks)
    return json_response(result, arrival.request_id)


def _embeddings(details: Mapping[str, Any], target: Target) -> dict[str, Any]:
    rules = rules_for(target.model)
    inputs, input_type = checked_inputs(details, rules)
    dimensions = dimensions_of(details, rules)
    tokens = sum(count_words(text) for text in inputs)
    result: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "embeddings": [embed(text, dimensions, target.model, input_type) for text in inputs],
        "modelId": target.model,
        "modelVersion": target.version,
        "usage": {"promptTokens": tokens, "totalTokens": tokens},
    }
    if details.get("isEcho"):
        result["inputs"] = details.get("inputs")
    return result


def _ranks(details: Mapping[str, Any], target: Target) -> dict[str, Any]:
    query = details.get("input")
    documents = details.get("documents")
    if not isinstance(query, str) or not query.strip():
        raise bad_request("input is required")
    if (
        not isinstance(documents, list)
        or not documents
        or not all(isinstance(d, str) for d in documents)
    ):
        raise bad_request("documents must be a non-empty list of strings")
    top = details.get("topN")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise bad_request("topN must be a positive integer")
    scored = sorted(
        ((relevance(query, doc), index) for index, doc in enumerate(documents)),
        key=lambda pair: (-pair[0], pair[1]),
    )
    top = top or len(scored)
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
