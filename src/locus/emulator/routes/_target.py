"""Which model answers a request: the ``ChatDetails`` envelope checked against the catalogue.

Wrong compartment, unknown model or endpoint, and an endpoint OCID from another region
are 404 ``NotAuthorizedOrNotFound``; a missing field or an ``apiFormat`` the hosted
model does not speak is 400 ``InvalidParameter`` (wire-spec §5.1, §8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from locus.emulator._catalogue import Catalogue
from locus.emulator._errors import bad_request, not_found
from locus.emulator.wire import CHAT_FORMATS, as_mapping

__all__ = ["ENDPOINT_PREFIX", "Target", "resolve", "resolve_serving"]

ENDPOINT_PREFIX = "ocid1.generativeaiendpoint."
_FORMATS = tuple(CHAT_FORMATS)


@dataclass(frozen=True, slots=True)
class Target:
    """The model that answers a request, and how it answers."""

    model: str
    version: str
    api_formats: tuple[str, ...]
    tool_call_style: str
    fault_keys: tuple[str, ...]
    capability: str = "CHAT"
    ignores_response_format: bool = False
    """A hosted model that answers prose whatever ``responseFormat`` asks."""


def resolve(
    details: Mapping[str, Any], catalogue: Catalogue, compartment_id: str, region: str
) -> tuple[Target, Mapping[str, Any]]:
    """The serving target and the ``chatRequest`` of a chat request body."""
    target = resolve_serving(details, catalogue, compartment_id, region)
    if target.capability != "CHAT":
        raise bad_request(f"model {target.model} does not support chat")
    chat_request = as_mapping(details.get("chatRequest"), "chatRequest")
    api_format = chat_request.get("apiFormat")
    if api_format not in _FORMATS:
        raise bad_request(f"chatRequest.apiFormat must be one of {', '.join(_FORMATS)}")
    if api_format not in target.api_formats:
        raise bad_request(
            f"apiFormat {api_format} does not match model {target.model}, "
            f"which accepts {', '.join(target.api_formats)}"
        )
    return target, chat_request


def resolve_serving(
    details: Mapping[str, Any], catalogue: Catalogue, compartment_id: str, region: str
) -> Target:
    """The target named by ``compartmentId`` and ``servingMode`` (any action)."""
    compartment = details.get("compartmentId")
    if not isinstance(compartment, str) or not compartment:
        raise bad_request("compartmentId is required")
    if compartment != compartment_id:
        raise not_found(f"compartment {compartment}")
    mode = as_mapping(details.get("servingMode"), "servingMode")
    return _target(mode, catalogue, region)


def _target(mode: Mapping[str, Any], catalogue: Catalogue, region: str) -> Target:
    kind = mode.get("servingType")
    if kind == "ON_DEMAND":
        return _on_demand(mode.get("modelId"), catalogue)
    if kind == "DEDICATED":
        return _dedicated(mode.get("endpointId"), catalogue, region)
    raise bad_request("servingMode.servingType must be ON_DEMAND or DEDICATED")


def _on_demand(model_id: Any, catalogue: Catalogue) -> Target:
    if not isinstance(model_id, str) or not model_id:
        raise bad_request("servingMode.modelId is required")
    entry = catalogue.model(model_id)
    if entry is None:
        raise not_found(f"model {model_id}")
    return Target(
        entry.name,
        entry.version,
        entry.api_formats,
        entry.tool_call_style,
        (model_id,),
        entry.capability,
    )


def _dedicated(endpoint_id: Any, catalogue: Catalogue, region: str) -> Target:
    if not isinstance(endpoint_id, str) or not endpoint_id:
        raise bad_request("servingMode.endpointId is required")
    if not endpoint_id.startswith(ENDPOINT_PREFIX):
        raise bad_request("servingMode.endpointId must be a generativeaiendpoint OCID")
    parts = endpoint_id.split(".")
    if len(parts) > 3 and parts[3] != region:
        raise not_found(f"endpoint {endpoint_id} (it is in {parts[3]}, this service is {region})")
    endpoint = catalogue.endpoint(endpoint_id)
    if endpoint is None:
        raise not_found(f"endpoint {endpoint_id}")
    model = catalogue.model(endpoint.model)
    version = model.version if model else "1.0"
    capability = endpoint.capability
    keys = (endpoint_id, endpoint.model)
    return Target(
        endpoint.model,
        version,
        endpoint.api_formats,
        endpoint.tool_call_style,
        keys,
        capability,
        endpoint.ignores_response_format,
    )
