"""Checks of ``Agent(...)`` and run arguments: each bad value is a ``ConfigurationError``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from locus.core._checks import reject_unknown
from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.core.model import Model

__all__ = [
    "OPTIONS",
    "RUN_OPTIONS",
    "OutputMode",
    "as_messages",
    "as_model",
    "check_callable",
    "check_mode",
    "check_positive",
    "check_retries",
    "reject_unknown_options",
    "run_documents",
]

OPTIONS = (
    "model",
    "tools",
    "system_prompt",
    "max_iterations",
    "model_kwargs",
    "call_kwargs",
    "tool_timeout",
    "run_timeout",
    "max_tool_result_chars",
    "thread_store",
    "concurrent_tools",
    "history_processor",
    "output_type",
    "output_mode",
    "output_retries",
    "output_validators",
    "name",
    "description",
    "hooks",
    "deps_type",
    "handoffs",
    "max_handoffs",
    "max_run_tokens",
)
RUN_OPTIONS = (
    *("output_type", "thread_id", "timeout", "message_history", "deps", "hooks"),
    *("max_run_tokens", "documents"),
)

OutputMode = Literal["auto", "native", "tool", "prompted"]
"""How typed output is asked for; see ``docs/structured-output.md`` (``locus.agent._output``)."""

_MODES = ("auto", "native", "tool", "prompted")


def reject_unknown_options(options: dict[str, Any], *, where: str = "Agent()") -> None:
    """Unknown keywords of ``Agent()`` (or of a run) are errors, never silently kept."""
    if where == "Agent()":
        unknown = {k: v for k, v in options.items() if k not in OPTIONS}
        advice = (
            "Model settings go to the model (get_model(..., **settings)) or model_kwargs={...}."
        )
        reject_unknown(where, unknown, OPTIONS, advice=advice)
    else:
        unknown = {k: v for k, v in options.items() if k not in RUN_OPTIONS}
        reject_unknown(where, unknown, RUN_OPTIONS)


def run_documents(documents: Any) -> tuple[dict[str, Any], ...] | None:
    """A run's ``documents=``, checked before it starts (``None``: not given)."""
    if documents is None:
        return None
    from locus.core._grounding import grounding_from

    grounding = grounding_from(documents, None)
    return () if grounding is None else grounding.documents


def check_positive(name: str, value: float | None, *, integer: bool = False) -> None:
    if value is None:
        return
    if integer and (not isinstance(value, int) or isinstance(value, bool)):
        raise ConfigurationError(f"{name} must be an int, got {value!r}")
    if not value > 0:
        raise ConfigurationError(f"{name} must be positive, got {value!r}")


def as_model(model: Model | str, model_kwargs: dict[str, Any] | None) -> Model:
    if isinstance(model, str):
        from locus.models.registry import get_model

        return get_model(model, **(model_kwargs or {}))
    if model_kwargs:
        raise ConfigurationError(
            "model_kwargs build a model from a 'provider:id' string; this model is already "
            "built, so set them on it (or pass per-call parameters as call_kwargs=)"
        )
    if not isinstance(model, Model):
        raise ConfigurationError(
            f"model must be a Model (with model_id, complete() and stream()) or a "
            f"'provider:model-id' string, got {type(model).__name__}"
        )
    return model


def as_messages(prompt: object) -> list[Message]:
    if isinstance(prompt, str):
        return [Message.user(prompt)]
    if isinstance(prompt, Message):
        return [prompt]
    if isinstance(prompt, Sequence):
        messages = [item for item in prompt if isinstance(item, Message)]
        if messages and len(messages) == len(prompt):
            return messages
    raise ConfigurationError(
        f"prompt must be a str, a Message or a list of Messages, got {type(prompt).__name__}"
    )


def check_retries(value: object) -> int:
    """``output_retries``: an int, zero or more."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigurationError(f"output_retries must be an int >= 0, got {value!r}")
    return value


def check_callable(name: str, fn: object, shape: str) -> None:
    """A function option (``None`` allowed)."""
    if fn is not None and not callable(fn):
        raise ConfigurationError(f"{name} must be a function {shape}, got {type(fn).__name__}")


def check_mode(mode: object) -> None:
    """``output_mode``: one of the ``OutputMode`` names."""
    if mode not in _MODES:
        raise ConfigurationError(
            f"output_mode must be one of {', '.join(map(repr, _MODES))}, got {mode!r}"
        )
