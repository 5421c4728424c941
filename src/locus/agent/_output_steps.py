"""The steps of a run that end it with typed output (mixed into ``AgentRun``).

``conclude_text`` reads a text answer (native and prompted output; in tool mode a text
answer is asked again to call ``final_result``); ``conclude_call`` reads a
``final_result`` tool call. Every call in that turn gets its tool message, so a thread
never holds a call without its answer. An answer that does not validate, or that an
output validator rejects with ``ModelRetry``, is shown its errors and asked again, up to
``output_retries`` times; then the run raises ``OutputValidationError``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Awaitable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from locus.agent import _events as ev
from locus.agent._context import RunContext
from locus.agent._result import Metrics
from locus.agent._step import Step
from locus.agent._validators import ModelRetry, OutputValidator, run_validators
from locus.core._invalid_output import InvalidOutput
from locus.core.errors import OutputValidationError
from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse

if TYPE_CHECKING:
    from locus.agent._output import OutputPlan

__all__ = ["OutputSteps"]

T = TypeVar("T")
_ACCEPTED = "Final result accepted."
_NOT_RUN = "Not run: a final_result call ends the run; call this tool in a turn of its own."


class _Settings(Protocol):
    """What these steps read of ``RunConfig``."""

    @property
    def max_iterations(self) -> int: ...
    @property
    def output_retries(self) -> int: ...
    @property
    def output_validators(self) -> Sequence[OutputValidator]: ...


class OutputSteps:
    """Typed-output steps; the attributes are ``AgentRun``'s."""

    if not TYPE_CHECKING:  # AgentRun holds the slots (the checker sees them there)
        __slots__ = ()

    config: _Settings
    plan: OutputPlan | None
    response: ModelResponse | None
    messages: list[Message]
    ctx: RunContext[Any]
    metrics: Metrics
    output: Any
    _next: Step | None
    _text: list[str]
    _partial: Any

    def _wait(self, awaitable: Awaitable[T]) -> Awaitable[T]:
        raise NotImplementedError

    def _stop(self) -> AsyncGenerator[ev.RunEvent, None]:
        raise NotImplementedError

    def _think(self) -> AsyncGenerator[ev.RunEvent, None]:
        raise NotImplementedError

    def own_calls(self) -> list[ToolCall]:  # (ToolSteps')
        raise NotImplementedError

    # -- streaming -------------------------------------------------------------------------

    def begin_output_text(self) -> None:
        if self.plan is not None:
            self._text, self._partial = [], None

    def output_text(self, chunk: str, iteration: int) -> ev.OutputDelta | None:
        """Take a piece of an output answer; an ``OutputDelta`` when the partial grew."""
        assert self.plan is not None
        self._text.append(chunk)
        partial = self.plan.partial("".join(self._text))
        if partial is None or partial == self._partial:
            return None
        self._partial = partial
        return ev.OutputDelta(partial, iteration)

    # -- steps -------------------------------------------------------------------------------

    async def conclude_text(self) -> AsyncGenerator[ev.RunEvent, None]:
        """A text answer: the output itself, or (tool mode) a reason to ask again."""
        assert self.plan is not None and self.response is not None
        plan, text, iteration = self.plan, self.response.text, self.metrics.iterations
        try:
            if plan.mode == "tool":
                raise _no_final_call(plan)
            output = await self._validated(plan.from_text(text))
        except (InvalidOutput, ModelRetry) as exc:
            yield ev.IterationEnded(iteration, self.response)
            self._retry(exc, text, [plan.retry_message(str(exc))])
            return
        async for event in self._accept(output, iteration):
            yield event

    async def conclude_call(self) -> AsyncGenerator[ev.RunEvent, None]:
        """A turn with a ``final_result`` call: validate it; answer every call of the turn."""
        assert self.plan is not None and self.response is not None
        calls, iteration = self.own_calls(), self.metrics.iterations  # (as in _act)
        final = self.plan.final_call(calls)
        assert final is not None
        try:
            output = await self._validated(self.plan.from_call(final))
        except (InvalidOutput, ModelRetry) as exc:
            reply = self.plan.retry_message(str(exc), call=final)
            yield ev.IterationEnded(iteration, self.response)
            self._retry(exc, _raw(final), _answers(calls, final, reply))
            return
        self.messages += _answers(calls, final, Message.tool(_ACCEPTED, final.id, final.name))
        async for event in self._accept(output, iteration):
            yield event

    def check_output_at_cap(self) -> None:
        """At ``max_iterations`` with no output yet: the run cannot give its output."""
        if self.plan is None:
            return
        text = self.response.text if self.response is not None else None
        raise OutputValidationError(
            f"the run reached max_iterations ({self.config.max_iterations}) before the model "
            "gave its output; raise max_iterations or ask for the output sooner",
            raw=text,
        )

    # -- helpers -----------------------------------------------------------------------------

    async def _accept(self, output: Any, iteration: int) -> AsyncGenerator[ev.RunEvent, None]:
        assert self.response is not None
        self.output = output
        if output != self._partial_or_none():
            yield ev.OutputDelta(output, iteration)
        yield ev.IterationEnded(iteration, self.response)
        self._next = self._stop

    def _partial_or_none(self) -> Any:
        return getattr(self, "_partial", None)

    async def _validated(self, output: Any) -> Any:
        validators = self.config.output_validators
        if not validators:
            return output
        return await self._wait(run_validators(validators, output))

    def _retry(self, exc: InvalidOutput | ModelRetry, raw: str, reply: list[Message]) -> None:
        """Ask again with ``reply``, or raise when the retries (or iterations) ran out."""
        self.messages += reply
        errors = exc.errors if isinstance(exc, InvalidOutput) else _retry_errors(exc)
        limit, calls = self.config.output_retries, self.metrics.model_calls
        if self.metrics.output_retries >= limit:
            raise OutputValidationError(
                f"the model's output did not validate after {limit} retr"
                f"{'y' if limit == 1 else 'ies'}: {exc}",
                raw=raw,
                errors=errors,
            )
        if calls >= self.config.max_iterations:
            raise OutputValidationError(
                f"the model's output did not validate and max_iterations ({calls}) was "
                f"reached: {exc}",
                raw=raw,
                errors=errors,
            )
        self.metrics.output_retries += 1
        self._next = self._think


def _answers(calls: list[ToolCall], final: ToolCall, reply: Message) -> list[Message]:
    """One tool message per call of the turn, in call order."""
    return [
        reply if call is final else Message.tool(_NOT_RUN, call.id, call.name, is_error=True)
        for call in calls
    ]


def _no_final_call(plan: OutputPlan) -> InvalidOutput:
    names = " or ".join(spec.name for spec in plan.specs)
    why = f"the answer did not call the {names} tool"
    return InvalidOutput(why, [{"loc": "", "msg": why, "type": "missing_final_result"}])


def _retry_errors(exc: ModelRetry) -> list[dict[str, Any]]:
    return [{"loc": "", "msg": str(exc), "type": "model_retry"}]


def _raw(call: ToolCall) -> str:
    if call.raw_arguments is not None:
        return call.raw_arguments
    return json.dumps(call.arguments, ensure_ascii=False, default=str)
