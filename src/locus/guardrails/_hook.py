"""``oci_guardrails(...)``: a hook that puts OCI's guardrails around a run.

It checks the user's input before the run's first model call (so a blocked prompt never
reaches the model), the model's text after each call and each tool's result after the
tool, as asked. A finding named in ``block_on`` ends the run with ``GuardrailTripped``
(an ``OCIGuardrailTripped``: ``error.result`` is the partial result, ``error.findings``
the ``GuardrailsResult``);
``redact_pii`` replaces PII spans in what goes on instead. The redacted user input is
what the model is sent; the run's own history keeps what the user typed.

When the service cannot answer (429, 5xx, a timeout, a broken connection, a malformed
answer) ``on_error`` decides: ``"block"`` (the default, fail closed) ends the run with
the service's typed error; ``"allow"`` (fail open) lets the text go on unchecked and logs
a warning; a function decides per error. Errors that mean the setup is wrong (401, 403,
404, 400, configuration) always end the run. The checked text is never logged.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from locus.agent import Hook, ModelRequest, RunContext, ToolResult
from locus.core.errors import (
    APIStatusError,
    ConfigurationError,
    GuardrailTripped,
    ModelError,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
)
from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse
from locus.guardrails._client import CATEGORIES, OCIGuardrails
from locus.guardrails._result import CHECKS, GuardrailsResult

__all__ = [
    "BlockPolicy",
    "ErrorPolicy",
    "OCIGuardrailTripped",
    "OCIGuardrailsHook",
    "oci_guardrails",
]

logger = logging.getLogger("locus.guardrails")

BlockPolicy = Iterable[str] | Callable[[GuardrailsResult], bool]
"""Which findings block: names (``"content_moderation"``, ``"pii"``, ``"prompt_injection"``,
or one flag such as ``"content_moderation:OVERALL"`` or ``"pii:EMAIL"``), or a function
of the result that says whether to block."""

DEFAULT_BLOCK_ON = ("content_moderation", "prompt_injection")

ErrorPolicy = Literal["block", "allow"] | Callable[[ModelError, str], bool]
"""What a failed ``ApplyGuardrails`` call does: ``"block"`` ends the run with the error,
``"allow"`` lets the text go on unchecked, a function ``(error, what) -> bool`` says
whether to let it go on (``what`` names the text: ``"user input"``, ``"model output"``...)."""

PASSING_ERRORS = (RateLimitError, ServerError, TransportError, ResponseError)
"""The failures ``on_error`` decides about: the service busy, down, slow or garbled."""


class OCIGuardrailTripped(GuardrailTripped):
    """OCI's guardrails blocked a text: ``findings`` is what ``ApplyGuardrails`` found.

    ``guardrail`` is ``"oci_guardrails"``; ``reason`` names the text (user input, model
    output, a tool's result) and the checks that tripped, never the text itself.
    """

    def __init__(self, reason: str, findings: GuardrailsResult) -> None:
        super().__init__("oci_guardrails", reason)
        self.findings = findings


class OCIGuardrailsHook(Hook):
    """The hook ``oci_guardrails()`` returns (see there)."""

    def __init__(
        self,
        guardrails: OCIGuardrails,
        *,
        input: bool,
        output: bool,
        tool_results: bool,
        block_on: BlockPolicy,
        redact_pii: bool,
        threshold: float,
        mask: str,
        on_error: ErrorPolicy = "block",
    ) -> None:
        self.guardrails = guardrails
        self.on_error = on_error
        self.holds_model_text = output  # streamed text is shown only once it passed
        self._input, self._output, self._tools = input, output, tool_results
        self._blocks = _block_policy(block_on, threshold)
        self._redact = redact_pii
        self._threshold = threshold
        self._mask = mask
        self._started: set[str] = set()

    def __repr__(self) -> str:
        where = [n for n, on in (("input", self._input), ("output", self._output)) if on]
        where += ["tool_results"] if self._tools else []
        return f"oci_guardrails({self.guardrails!r}, checks={where})"

    def on_run_start(self, ctx: RunContext[Any]) -> None:
        if self._input:
            self._started.add(ctx.run_id)

    def on_run_end(self, ctx: RunContext[Any], result: Any) -> None:
        self._started.discard(ctx.run_id)

    async def before_model_call(
        self, ctx: RunContext[Any], request: ModelRequest
    ) -> ModelRequest | None:
        if ctx.run_id not in self._started:
            return None
        self._started.discard(ctx.run_id)
        messages = list(request.messages)
        changed = False
        for index in _trailing_user_messages(messages):
            text = messages[index].content or ""
            new = await self._screen(ctx, text, "user input")
            if new != text:
                messages[index] = dataclasses.replace(messages[index], content=new)
                changed = True
        return dataclasses.replace(request, messages=messages) if changed else None

    async def after_model_call(
        self, ctx: RunContext[Any], response: ModelResponse
    ) -> ModelResponse | None:
        text = response.message.content
        if not self._output or not text:
            return None
        new = await self._screen(ctx, text, "model output")
        if new == text:
            return None
        message = dataclasses.replace(response.message, content=new)
        return dataclasses.replace(response, message=message)

    async def after_tool_call(
        self, ctx: RunContext[Any], call: ToolCall, result: ToolResult
    ) -> ToolResult | None:
        if not self._tools or not result.content:
            return None
        new = await self._screen(ctx, result.content, f"result of tool {call.name}")
        return None if new == result.content else dataclasses.replace(result, content=new)

    async def _screen(self, ctx: RunContext[Any], text: str, what: str) -> str:
        """``text`` as it may go on (redacted when asked), or ``GuardrailTripped``."""
        if not text.strip():
            return text
        try:
            found = await self.guardrails.check(text)
        except PASSING_ERRORS as error:
            if not self._lets_through(error, what):
                raise
            status = f" {error.status}" if isinstance(error, APIStatusError) else ""
            request = getattr(error, "request_id", None)
            logger.warning(  # names the text, never shows it
                "oci_guardrails: the %s of run %s went on unchecked (on_error=%r): "
                "ApplyGuardrails failed with %s%s (opc-request-id %s)",
                what,
                ctx.run_id,
                self.on_error if isinstance(self.on_error, str) else "function",
                type(error).__name__,
                status,
                request,
            )
            return text
        if self._blocks(found):
            flags = ", ".join(found.flags(self._threshold)) or "the block_on policy"
            raise OCIGuardrailTripped(f"the {what} tripped {flags}", found)
        return found.redacted(self._mask, self._threshold) if self._redact else text

    def _lets_through(self, error: ModelError, what: str) -> bool:
        if self.on_error == "block":
            return False
        if self.on_error == "allow":
            return True
        assert callable(self.on_error)
        return bool(self.on_error(error, what))


def oci_guardrails(
    guardrails: OCIGuardrails | Mapping[str, Any] | None = None,
    *,
    input: bool = True,
    output: bool = False,
    tool_results: bool = False,
    block_on: BlockPolicy = DEFAULT_BLOCK_ON,
    redact_pii: bool = False,
    threshold: float = 0.5,
    mask: str = "[{label}]",
    on_error: ErrorPolicy = "block",
) -> OCIGuardrailsHook:
    """A hook checking a run with OCI's guardrails: the user ``input`` before the first
    model call, the model's ``output`` text after each call, ``tool_results`` after each tool.

    ``guardrails`` is an ``OCIGuardrails`` or the keywords to build one (``None``: the
    defaults, from the OCI config file and environment). A finding named in ``block_on``
    (a score of at least ``threshold``) ends the run with ``GuardrailTripped`` before the
    text goes anywhere; with ``redact_pii`` the PII spans are replaced by ``mask``.
    ``on_error`` is what a failed call does (see the module docstring): ``"block"`` (fail
    closed, the default), ``"allow"`` (fail open, with a warning) or a function.
    """
    if not isinstance(mask, str):
        raise ConfigurationError(f"mask must be a string such as '[{{label}}]', not {mask!r}")
    if on_error not in ("block", "allow") and not callable(on_error):
        raise ConfigurationError(
            f"on_error must be 'block', 'allow' or a function (error, what) -> bool, "
            f"not {on_error!r}"
        )
    if isinstance(guardrails, OCIGuardrails):
        client = guardrails
    elif guardrails is None or isinstance(guardrails, Mapping):
        client = OCIGuardrails(**dict(guardrails or {}))
    else:
        raise ConfigurationError(
            "oci_guardrails() takes an OCIGuardrails or a dict of its keywords, "
            f"not {type(guardrails).__name__}"
        )
    if not (input or output or tool_results):
        raise ConfigurationError(
            "oci_guardrails() checks nothing: set input, output or tool_results"
        )
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not 0 < threshold <= 1
    ):
        raise ConfigurationError(f"threshold must be a number in (0, 1], not {threshold!r}")
    return OCIGuardrailsHook(
        client,
        input=input,
        output=output,
        tool_results=tool_results,
        block_on=block_on,
        redact_pii=redact_pii,
        threshold=float(threshold),
        mask=mask,
        on_error=on_error,
    )


def _trailing_user_messages(messages: list[Message]) -> list[int]:
    indexes: list[int] = []
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role != "user":
            break
        indexes.append(index)
    return indexes[::-1]


def _known_flag(name: str) -> bool:
    """Whether ``name`` is a check or one of its flags (a typo would never block)."""
    check, colon, detail = name.partition(":")
    if check not in CHECKS:
        return False
    if not colon:
        return True
    if check == "content_moderation":
        return detail in CATEGORIES
    return check == "pii" and re.fullmatch(r"[A-Z][A-Z0-9_]*", detail) is not None


def _block_policy(block_on: BlockPolicy, threshold: float) -> Callable[[GuardrailsResult], bool]:
    if callable(block_on):
        return block_on
    if isinstance(block_on, str):
        block_on = (block_on,)
    names = frozenset(block_on)
    unknown = [n for n in names if not isinstance(n, str) or not _known_flag(n)]
    if unknown:
        raise ConfigurationError(
            f"block_on names unknown checks {sorted(unknown, key=str)}; use {list(CHECKS)} "
            "or a flag such as 'content_moderation:OVERALL' or 'pii:EMAIL' (labels in "
            "upper case)"
        )

    def blocks(result: GuardrailsResult) -> bool:
        return any(f in names or f.partition(":")[0] in names for f in result.flags(threshold))

    return blocks
