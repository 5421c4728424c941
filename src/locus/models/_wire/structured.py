"""Structured answers at the model level: ``response_format`` on the wire and ``parsed`` back.

``wire_params`` turns a call's ``response_format`` (a pydantic class, a ``TypeAdapter``, a
named or bare JSON-schema dict) into the named dict every codec encodes, strict where the
model can be and the schema allows it. ``with_parsed`` and ``parsed_stream`` validate the
answer into ``ModelResponse.parsed`` (or say why not in ``parse_error``; never raising).
pydantic is imported only when a schema is in play.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from locus.core.params import GenerationParams
from locus.core.response import ModelResponse, StreamEvent

if TYPE_CHECKING:
    from locus.core._output_schema import OutputSchema

__all__ = ["answer_format", "parsed_stream", "schema_of", "wire_params", "with_parsed"]


def wire_params(params: GenerationParams, *, strict: bool) -> GenerationParams:
    """``params`` with ``response_format`` as ``"text"``, ``"json_object"`` or a named dict.

    ``strict`` says the model enforces schemas: a format that does not choose its own
    strictness is then sent strict when its schema can be (``strict_schema``).
    """
    fmt = params.response_format
    if fmt is None or isinstance(fmt, str):
        return params
    from locus.core._json_schema import strict_schema
    from locus.core._output_schema import response_format_spec

    spec = response_format_spec(fmt)
    if not isinstance(spec, dict):  # not reached: only a str stays a str
        return params
    if strict and spec.get("strict") is None:
        closed = strict_schema(spec["schema"])
        if closed is not None:
            spec = {**spec, "schema": closed, "strict": True}
    return replace(params, response_format=spec)


def answer_format(overrides: Mapping[str, Any], params: GenerationParams) -> Any:
    """The ``response_format`` in effect for one call (its override, else the model's)."""
    if "response_format" in overrides:
        return overrides["response_format"]
    return params.response_format


def schema_of(fmt: Any) -> OutputSchema[Any] | None:
    """The schema answers are validated with (``None`` for text, ``json_object`` or none)."""
    if fmt is None or isinstance(fmt, str):
        return None
    from locus.core._output_schema import output_schema

    return output_schema(fmt)


def with_parsed(response: ModelResponse, schema: OutputSchema[Any] | None) -> ModelResponse:
    """``response`` with ``parsed`` (or ``parse_error``) set from its text.

    An answer that calls tools and says nothing is left alone: it is not an answer yet.
    """
    if schema is None or (response.tool_calls and not response.text.strip()):
        return response
    from locus.core._output_schema import InvalidOutput

    text = response.text
    if not text.strip():
        response.parse_error = "the answer is empty; expected JSON matching the schema"
        return response
    try:
        response.parsed = schema.validate_json(text)
    except InvalidOutput as exc:
        response.parse_error = str(exc)
    return response


async def parsed_stream(events: AsyncIterator[StreamEvent], fmt: Any) -> AsyncIterator[StreamEvent]:
    """``events`` as they come; the final one's ``response`` gets ``parsed``."""
    schema = schema_of(fmt)
    try:
        async for event in events:
            if event.done and event.response is not None:
                with_parsed(event.response, schema)
            yield event
    finally:
        close = getattr(events, "aclose", None)
        if close is not None:
            await close()
