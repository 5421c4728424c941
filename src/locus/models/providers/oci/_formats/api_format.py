"""The three OCI chat API formats and the serving mode that picks the model."""

from __future__ import annotations

import enum
from typing import Any

from locus.core.errors import ConfigurationError

__all__ = ["ApiFormat", "default_api_format", "parse_api_format", "serving_mode"]


class ApiFormat(enum.StrEnum):
    """``chatRequest.apiFormat``: GENERIC (most models), COHERE (Command R), COHEREV2."""

    GENERIC = "GENERIC"
    COHERE = "COHERE"
    COHEREV2 = "COHEREV2"


_ALIASES = {
    "generic": ApiFormat.GENERIC,
    "cohere": ApiFormat.COHERE,
    "coherev1": ApiFormat.COHERE,
    "coherev2": ApiFormat.COHEREV2,
}


def parse_api_format(value: str | ApiFormat) -> ApiFormat:
    """``"generic"``, ``"cohere"``, ``"cohere_v2"``, ``"COHEREV2"``... in any case."""
    if isinstance(value, ApiFormat):
        return value
    if isinstance(value, str):
        key = value.strip().lower().replace("_", "").replace("-", "").replace(" ", "")
        if key in _ALIASES:
            return _ALIASES[key]
    raise ConfigurationError(
        f"unknown api_format {value!r}: valid values are 'generic', 'cohere' and 'cohere_v2'"
    )


def serving_mode(model_id: str, *, dedicated: bool) -> dict[str, Any]:
    """``servingMode``: DEDICATED with an endpoint OCID (a DAC), else ON_DEMAND."""
    if dedicated:
        return {"servingType": "DEDICATED", "endpointId": model_id}
    return {"servingType": "ON_DEMAND", "modelId": model_id}


def default_api_format(model_id: str) -> ApiFormat:
    """COHERE for an on-demand ``cohere.*`` model, else GENERIC (a DAC endpoint OCID does
    not reveal its model family)."""
    if model_id.strip().lower().startswith("cohere."):
        return ApiFormat.COHERE
    return ApiFormat.GENERIC
