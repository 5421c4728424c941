"""``POST /20231130/actions/applyGuardrails`` (wire-spec §1.1; the body is the ``oci``
SDK's ``ApplyGuardrailsDetails``), and ``/admin/guardrails`` to change what it flags.

The answer has one result per configured guardrail: ``contentModeration`` (a score per
requested category), ``personallyIdentifiableInformation`` (the spans of the requested
types) and ``promptInjection``, scored by ``engines._guardrails``. Faults for the target
``guardrails`` (or ``*``) and the latency setting apply as on the other routes. Text comes from
``input`` or (without it) from the TEXT parts of ``multimodalInput``; images are never
flagged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from locus.emulator._errors import ApiError, bad_request, not_found
from locus.emulator._faults import Fault
from locus.emulator.engines._guardrails import find_pii, injection, moderation
from locus.emulator.routes._answer import Arrival, first_byte, guarded
from locus.emulator.routes._service import Service, parse_body
from locus.emulator.wire import Reset, json_response

__all__ = ["apply_guardrails", "guardrail_settings"]

CATEGORIES = ("OVERALL", "BLOCKLIST")
VERSIONS = ("1.0.0", "1.1.0")
_LABEL = re.compile(r"[A-Z][A-Z0-9_]*")
FAULT_KEYS = ("guardrails",)
"""Faults set for this target (or ``*``) fire on ``applyGuardrails``."""
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@guarded()
async def apply_guardrails(service: Service, request: Request, arrival: Arrival) -> Response:
    """Score the input against each configured guardrail."""
    body = await request.body()
    service.authenticate(request, body)
    details = parse_body(body)
    compartment = details.get("compartmentId")
    if not isinstance(compartment, str) or not compartment:
        raise bad_request("compartmentId is required")
    if compartment != service.compartment_id:
        raise not_found(f"compartment {compartment}")
    text, modalities = _text_of(details)
    configs = details.get("guardrailConfigs")
    if not isinstance(configs, Mapping):
        raise bad_request("guardrailConfigs is required")
    results = _results(service, text, modalities, configs)
    answer = {"results": results, "guardrailVersion": {"version": _version(details)}}
    if await first_byte(service, FAULT_KEYS, arrival) is Fault.RESET_BEFORE:
        return Reset(service.hooks)
    return json_response(answer, arrival.request_id)


@guarded()
async def guardrail_settings(service: Service, request: Request, arrival: Arrival) -> Response:
    """``GET`` the words and patterns flagged; ``POST`` ``{"harmful": [...], "blocked":
    [...], "injections": [...], "pii": {LABEL: regex}, "replace": false}`` to add (or
    replace) them; ``POST`` an empty object after ``{"replace": true}`` clears. Loopback only."""
    host = request.client.host if request.client else ""
    if host not in _LOOPBACK:
        raise ApiError(403, "NotAllowed", "The admin route answers only on loopback")
    if request.method == "POST":
        body = await request.body()
        values = parse_body(body) if body.strip() else {}
        try:
            service.guardrails = service.guardrails.updated(values)
        except (ValueError, TypeError) as exc:
            raise bad_request(str(exc)) from exc
    return json_response(service.guardrails.describe(), arrival.request_id)


def _text_of(details: Mapping[str, Any]) -> tuple[str, list[str]]:
    single, many = details.get("input"), details.get("multimodalInput")
    if single is None and many is None:
        raise bad_request("give input or multimodalInput")
    # with both, the service scores input and discards multimodalInput (the SDK's
    # ApplyGuardrailsDetails says so)
    parts = [single] if single is not None else many
    if not isinstance(parts, list) or not parts:
        raise bad_request("multimodalInput must be a non-empty list of inputs")
    texts: list[str] = []
    modalities: list[str] = []
    for part in parts:
        kind = part.get("type") if isinstance(part, Mapping) else None
        if kind == "TEXT":
            content = part.get("content")
            if not isinstance(content, str):
                raise bad_request("a TEXT input needs its content as a string")
            texts.append(content)
        elif kind != "IMAGE":
            raise bad_request("each input has type TEXT or IMAGE")
        modalities.append(str(kind))
    return "\n".join(texts), modalities


def _results(
    service: Service, text: str, modalities: list[str], configs: Mapping[str, Any]
) -> dict[str, Any]:
    words = service.guardrails
    results: dict[str, Any] = {}
    if (moderation_config := configs.get("contentModerationConfig")) is not None:
        categories = _listed(moderation_config, "categories", "contentModerationConfig")
        bad = [c for c in categories if c not in CATEGORIES]
        if bad:
            raise bad_request(f"unknown content moderation categories {bad}; use {CATEGORIES}")
        scores = moderation(text, words)
        results["contentModeration"] = {
            "categories": [_scored(name, scores[name]) for name in categories]
        }
    if (pii_config := configs.get("personallyIdentifiableInformationConfig")) is not None:
        types = _listed(pii_config, "types", "personallyIdentifiableInformationConfig")
        if not all(_LABEL.fullmatch(t) for t in types):
            raise bad_request("PII types are upper-case names such as EMAIL or TELEPHONE_NUMBER")
        spans = find_pii(text, words, types)
        results["personallyIdentifiableInformation"] = [span.as_wire() for span in spans]
    if configs.get("promptInjectionConfig") is not None:
        results["promptInjection"] = _scored(None, injection(text, words))
    if not results:
        raise bad_request("guardrailConfigs names no guardrail")
    return results


def _scored(name: str | None, score: float) -> dict[str, Any]:
    result: dict[str, Any] = {} if name is None else {"name": name}
    result["score"] = score
    result["flaggedModalities"] = ["TEXT"] if score >= 0.5 else []
    return result


def _listed(config: Any, key: str, where: str) -> list[str]:
    values = config.get(key) if isinstance(config, Mapping) else None
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise bad_request(f"{where}.{key} must be a non-empty list of strings")
    return values


def _version(details: Mapping[str, Any]) -> str:
    config = details.get("guardrailVersionConfig")
    if config is None:
        return VERSIONS[0]
    version = config.get("guardrailVersion") if isinstance(config, Mapping) else None
    if version not in VERSIONS:
        raise bad_request(f"guardrailVersion must be one of {', '.join(VERSIONS)}")
    return str(version)
