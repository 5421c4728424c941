"""What each embed model accepts, checked as the service checks it (400 ``InvalidParameter``).

From OCI's documentation of ``EmbedTextDetails`` and the Cohere embed model pages: at most
96 inputs per call; on the Embed 3 models each input is at most 512 tokens (longer inputs
are cut at the START or END per ``truncate``, or refused with ``truncate: NONE``) and the
vectors have 1,024 dimensions (384 for the ``light`` models); Embed 4 takes up to 128,000
tokens per call, answers 1,536 dimensions, or 256, 512 or 1,024 through
``outputDimensions``. A token here is a whitespace-separated word (as in ``usage``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from locus.emulator._errors import bad_request

__all__ = ["MAX_INPUTS", "EmbedRules", "checked_inputs", "rules_for"]

MAX_INPUTS = 96
INPUT_TYPES = ("SEARCH_DOCUMENT", "SEARCH_QUERY", "CLASSIFICATION", "CLUSTERING", "IMAGE")
TRUNCATES = ("NONE", "START", "END")
EMBEDDING_TYPES = ("float", "int8", "uint8", "binary", "ubinary", "base64")
"""The values the SDK's ``EmbedTextDetails.embedding_types`` allows (the emulator answers
float ``embeddings`` whatever is asked)."""


@dataclass(frozen=True, slots=True)
class EmbedRules:
    """One embed model's limits."""

    dimensions: int
    output_dimensions: tuple[int, ...] = ()
    input_tokens: int | None = 512
    call_tokens: int | None = None


_V3 = EmbedRules(1024)
_V3_LIGHT = EmbedRules(384)
_V4 = EmbedRules(1536, (256, 512, 1024, 1536), input_tokens=None, call_tokens=128_000)


def rules_for(model: str) -> EmbedRules:
    """The limits of ``model`` (by name; an unknown embed model gets the Embed 3 ones)."""
    if "embed-v4" in model:
        return _V4
    if "light" in model:
        return _V3_LIGHT
    return _V3


def dimensions_of(details: Mapping[str, Any], rules: EmbedRules) -> int:
    """The checked ``outputDimensions``, or the model's own."""
    value = details.get("outputDimensions")
    if value is None:
        return rules.dimensions
    if not rules.output_dimensions:
        raise bad_request("outputDimensions is only available for embed-v4 and newer models")
    if isinstance(value, bool) or value not in rules.output_dimensions:
        allowed = ", ".join(str(d) for d in rules.output_dimensions)
        raise bad_request(f"outputDimensions must be one of {allowed}, not {value!r}")
    return int(value)


def checked_inputs(details: Mapping[str, Any], rules: EmbedRules) -> tuple[list[str], str]:
    """The inputs as embedded (cut per ``truncate``) and the input type, or a 400."""
    inputs = details.get("inputs")
    if not isinstance(inputs, list) or not inputs or not all(isinstance(i, str) for i in inputs):
        raise bad_request("inputs must be a non-empty list of strings")
    if not all(i.strip() for i in inputs):
        raise bad_request("inputs must not hold empty strings")
    types = details.get("embeddingTypes")
    if types is not None and (
        not isinstance(types, list) or not types or not all(t in EMBEDDING_TYPES for t in types)
    ):
        raise bad_request(f"embeddingTypes must be a list of {', '.join(EMBEDDING_TYPES)}")
    if len(inputs) > MAX_INPUTS:
        raise bad_request(
            f"inputs has {len(inputs)} entries; at most {MAX_INPUTS} are allowed per request"
        )
    input_type = details.get("inputType") or "SEARCH_DOCUMENT"
    if input_type not in INPUT_TYPES:
        raise bad_request(f"inputType must be one of {', '.join(INPUT_TYPES)}")
    if input_type == "IMAGE" and len(inputs) != 1:
        raise bad_request("inputType IMAGE takes exactly one base64-encoded image per request")
    truncate = details.get("truncate") or "END"
    if truncate not in TRUNCATES:
        raise bad_request(f"truncate must be one of {', '.join(TRUNCATES)}")
    cut = [_cut(text, index, rules, truncate) for index, text in enumerate(inputs)]
    total = sum(len(text.split()) for text in cut)
    if rules.call_tokens is not None and total > rules.call_tokens:
        raise bad_request(
            f"the inputs hold {total} tokens together; at most {rules.call_tokens} are "
            "allowed per request"
        )
    return cut, str(input_type)


def _cut(text: str, index: int, rules: EmbedRules, truncate: str) -> str:
    limit = rules.input_tokens
    words = text.split()
    if limit is None or len(words) <= limit:
        return text
    if truncate == "NONE":
        raise bad_request(
            f"inputs[{index}] has {len(words)} tokens, over the limit of {limit}; "
            "set truncate to START or END to cut it"
        )
    return " ".join(words[:limit] if truncate == "END" else words[-limit:])
