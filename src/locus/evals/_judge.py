"""``LLMJudge``: a Locus model grades the output against a rubric, with its reason."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from locus.core.errors import ConfigurationError
from locus.evals._context import EvaluationResult, Evaluator, EvaluatorContext

if TYPE_CHECKING:
    from locus.core.model import Model

__all__ = ["JUDGE_SYSTEM_PROMPT", "Grade", "LLMJudge"]

JUDGE_SYSTEM_PROMPT = (
    "You grade the output of an AI system against a rubric. Read the rubric and the "
    "output (and the input and the expected output when they are given), decide whether "
    "the output meets the rubric, and give a short reason. Judge only against the rubric."
)


@dataclass
class Grade:
    """The judge's answer: a one-sentence ``reason``, then whether the output ``passed``."""

    reason: str
    passed: bool


class LLMJudge(Evaluator):
    """Ask ``model`` (a ``Model`` or a ``"provider:id"`` string) whether the output meets
    ``rubric``; the verdict is an assertion with the judge's reason.

    The judge is an ``Agent`` with typed output (``Grade``: ``reason``, ``passed``), so
    it works on any Locus model: a native JSON schema on-demand, the ``final_result``
    tool on a DAC. ``include_input`` and ``include_expected`` show the judge the case's
    inputs and expected output as well. ``name`` labels it in reports (several judges on
    one dataset need different names). ``model_kwargs`` build the model from a string.
    """

    def __init__(
        self,
        rubric: str,
        model: Model | str,
        *,
        include_input: bool = False,
        include_expected: bool = False,
        name: str = "LLMJudge",
        model_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if not isinstance(rubric, str) or not rubric.strip():
            raise ConfigurationError("LLMJudge needs a rubric: the text the output is graded by")
        if not name:
            raise ConfigurationError("LLMJudge's name must not be empty")
        self.rubric = rubric
        self.model = model
        self.include_input = include_input
        self.include_expected = include_expected
        if name != "LLMJudge":
            self.name = name
        from locus.agent import Agent

        self.agent: Agent[Grade] = Agent(  # built now: a bad model is an error here, not later
            model,
            output_type=Grade,
            system_prompt=JUDGE_SYSTEM_PROMPT,
            name="llm-judge",
            model_kwargs=model_kwargs,
        )

    def prompt(self, ctx: EvaluatorContext) -> str:
        """What the judge is asked about one case."""
        parts = [f"<rubric>\n{self.rubric}\n</rubric>"]
        if self.include_input:
            parts.append(f"<input>\n{_as_text(ctx.inputs)}\n</input>")
        if self.include_expected:
            parts.append(f"<expected_output>\n{_as_text(ctx.expected_output)}\n</expected_output>")
        parts.append(f"<output>\n{_as_text(ctx.output)}\n</output>")
        return "\n".join(parts)

    async def evaluate(self, ctx: EvaluatorContext) -> EvaluationResult:
        result = await self.agent.arun(self.prompt(ctx))
        grade = result.output
        return EvaluationResult(bool(grade.passed), grade.reason, result.usage)

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"rubric": self.rubric}
        if isinstance(self.model, str):
            spec["model"] = self.model
        if self.include_input:
            spec["include_input"] = True
        if self.include_expected:
            spec["include_expected"] = True
        if self.name != "LLMJudge":
            spec["name"] = self.name
        return spec


def _as_text(value: Any) -> str:
    """A case's value as the judge reads it: text as is, messages as ``role: text`` lines,
    anything else as JSON (or its repr)."""
    if isinstance(value, str):
        return value
    from locus.core.messages import Message

    if isinstance(value, Message):
        value = [value]
    if isinstance(value, list | tuple) and value and all(isinstance(m, Message) for m in value):
        return "\n".join(f"{m.role}: {m.text}" for m in value)
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        value = dump(mode="json")
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)
