"""Typed output for a run: how the model is asked for it, and how its answer is read.

``output_plan(output_type, mode, model)`` decides once per run. ``None`` (or ``str``)
means plain text and no plan. Otherwise the plan holds what the model is sent (a
``response_format``, ``final_result`` tools, or instructions in the system prompt) and
reads the answer back: ``from_text`` for native and prompted output, ``from_call`` for a
``final_result`` tool call. A bad answer raises ``InvalidOutput`` with compact errors
the model is shown when it is asked again.

``auto`` picks per model: ``native`` when the model declares native structured output
(``locus.core._native_output``: on-demand Cohere, OpenAI, xAI, Meta and Google ids),
otherwise ``tool`` (a DAC endpoint, whose family is unknown, and any other model).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from locus.agent._options import OutputMode, check_mode
from locus.core._invalid_output import InvalidOutput, invalid_json
from locus.core._output_schema import (
    OutputSchema,
    native_output_support,
    output_schema,
    strip_fence,
)
from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec

__all__ = [
    "FINAL_RESULT",
    "InvalidOutput",
    "OutputMode",
    "OutputPlan",
    "check_mode",
    "extract_json",
    "output_plan",
]

FINAL_RESULT = "final_result"


@dataclass(slots=True, frozen=True)
class OutputPlan:
    """How one run asks for and reads its typed output."""

    schema: OutputSchema[Any]
    mode: Literal["native", "tool", "prompted"]
    tools: tuple[tuple[ToolSpec, OutputSchema[Any]], ...] = ()

    @property
    def specs(self) -> list[ToolSpec]:
        return [spec for spec, _ in self.tools]

    @property
    def call_kwargs(self) -> dict[str, Any]:
        if self.mode != "native":
            return {}
        return {"response_format": self.schema.response_format()}

    @property
    def text_is_output(self) -> bool:
        """Whether the answer's text is the output (JSON), kept out of text events."""
        return self.mode != "tool"

    def system_prompt(self, base: str | None) -> str | None:
        """The agent's system prompt, with the JSON instructions in prompted mode."""
        if self.mode != "prompted":
            return base
        schema = json.dumps(self.schema.json_schema, separators=(",", ":"))
        ask = (
            "Answer with one JSON value that matches this JSON schema, and nothing else "
            f"(no prose, no code fence):\n{schema}"
        )
        return ask if base is None else f"{base}\n\n{ask}"

    def partial(self, text: str) -> Any | None:
        """The output validated so far from an unfinished answer text, or ``None``."""
        return self.schema.validate_partial(text)

    def from_text(self, text: str) -> Any:
        """The validated output of a whole answer text (``InvalidOutput`` if it is not)."""
        return self.schema.validate_json(extract_json(text))

    def check_names(self, tools: Collection[str]) -> None:
        """Refuse a run whose tools include one named like an output tool (the model
        would be offered two tools of one name, and the agent's would never run)."""
        for spec, _ in self.tools:
            if spec.name in tools:
                raise ConfigurationError(
                    f"tool {spec.name!r} has the name of the output tool of this run's "
                    f"output type ({self.schema.name}); rename the tool (@tool(name=...))"
                )

    def final_call(self, calls: list[ToolCall]) -> ToolCall | None:
        """The first ``final_result`` call among ``calls``, if any."""
        names = {spec.name for spec, _ in self.tools}
        return next((call for call in calls if call.name in names), None)

    def from_call(self, call: ToolCall) -> Any:
        """The validated output carried by a ``final_result`` call's arguments."""
        schema = next(s for spec, s in self.tools if spec.name == call.name)
        if call.raw_arguments is not None:
            raise invalid_json(f"the arguments are not a JSON object: {call.raw_arguments:.200}")
        return schema.validate_python(call.arguments)

    def retry_message(self, error: str, *, call: ToolCall | None = None) -> Message:
        """What the model reads after an answer that did not validate."""
        if call is not None:
            text = f"The final result did not validate: {error}. Call {call.name} again, fixed."
            return Message.tool(text, call.id, call.name, is_error=True)
        if self.mode == "tool":
            names = " or ".join(spec.name for spec, _ in self.tools)
            return Message.user(f"Give your answer by calling the {names} tool.")
        return Message.user(
            f"Your answer did not validate: {error}. Answer again with only the JSON."
        )


def output_plan(output_type: Any, mode: str, model: object) -> OutputPlan | None:
    """The plan for ``output_type`` (``None`` for text) in ``mode`` on ``model``."""
    check_mode(mode)
    if output_type is None or output_type is str:
        return None
    schema = output_schema(output_type)
    if mode == "auto":
        mode = "native" if native_output_support(model) is not None else "tool"
    if mode == "tool":
        return OutputPlan(schema, "tool", _final_tools(schema))
    return OutputPlan(schema, "native" if mode == "native" else "prompted")


def _final_tools(schema: OutputSchema[Any]) -> tuple[tuple[ToolSpec, OutputSchema[Any]], ...]:
    if not schema.members:
        return ((_spec(FINAL_RESULT, schema), schema),)
    return tuple((_spec(f"{FINAL_RESULT}_{m.name}", m), m) for m in schema.members)


def _spec(name: str, schema: OutputSchema[Any]) -> ToolSpec:
    about = schema.description or f"Give the final answer as {schema.name}."
    return ToolSpec(name, f"{about} Call this once, when the answer is ready.", schema.json_schema)


def extract_json(text: str) -> str:
    """The JSON in an answer: the whole text, a fenced block in it, or the outermost
    ``{...}``/``[...]`` span; the text as is when none is found (the error says why)."""
    body = strip_fence(text)
    if body[:1] in ("{", "[", '"') or not body:
        return body
    fence = body.find("```")
    if fence >= 0:
        start = body.find("\n", fence)
        end = body.find("```", start + 1)
        if start >= 0 and end > start:
            return body[start + 1 : end].strip()
    for opener, closer in (("{", "}"), ("[", "]")):
        first, last = body.find(opener), body.rfind(closer)
        if 0 <= first < last:
            return body[first : last + 1]
    return body
