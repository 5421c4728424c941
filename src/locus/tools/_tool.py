"""``Tool``: a Python function together with the description a model is shown."""

from __future__ import annotations

import functools
import inspect
import sys
import warnings
from collections.abc import Awaitable, Callable, Mapping
from types import FrameType
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, cast

from locus.core.errors import ConfigurationError, ToolArgumentsError
from locus.core.toolspec import ToolSpec
from locus.tools._docstrings import parse_docstring
from locus.tools._threads import run_in_tool_thread

if TYPE_CHECKING:  # pydantic loads with the first tool, not with ``import locus.agent``
    from pydantic import BaseModel, ValidationError

__all__ = ["Tool", "ToolDefinitionWarning"]

P = ParamSpec("P")
R = TypeVar("R")


class ToolDefinitionWarning(UserWarning):
    """A tool a model will find hard to use: no description, or untyped parameters."""


class Tool(Generic[P, R]):
    """A callable tool. Calling it calls the function; ``spec`` describes it to models.

    ``timeout`` (seconds) overrides the executor's per-tool timeout. A sync
    function runs in a tool thread (``locus.tools._threads``) so that it cannot block
    the event loop; a thread cannot be interrupted, so on a timeout or a cancelled run
    a sync tool runs on there, is reported, and its result is dropped.
    ``run_in_thread=False`` runs a sync function inline on the event loop instead: for
    tools known to take microseconds; no timeout or deadline can interrupt such a call.
    """

    def __init__(
        self,
        func: Callable[P, R],
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
        run_in_thread: bool | None = None,
    ) -> None:
        if not callable(func):
            raise ConfigurationError(f"@tool needs a function, got {func!r}")
        functools.update_wrapper(self, func, updated=())
        self.func = func
        self.name: str = str(name or getattr(func, "__name__", ""))
        if not self.name.isidentifier() and not self.name.replace("-", "_").isidentifier():
            raise ConfigurationError(f"invalid tool name {self.name!r}")
        doc = parse_docstring(inspect.getdoc(func))
        self.description = description if description is not None else doc.summary
        if timeout is not None and not timeout > 0:
            raise ConfigurationError(f"tool {self.name!r}: timeout must be positive")
        self.timeout = timeout
        self.is_async = inspect.iscoroutinefunction(func)
        if self.is_async and run_in_thread:
            raise ConfigurationError(f"tool {self.name!r}: run_in_thread is for sync functions")
        self.inline = run_in_thread is False
        from locus.tools._schema import arguments_model, json_schema

        self.arguments_model: type[BaseModel] = arguments_model(func, self.name, doc.params)
        self.spec = ToolSpec(self.name, self.description, json_schema(self.arguments_model))
        _warn_if_vague(self.name, self.description, func)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Tool(name={self.name!r})"

    def validate(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and coerce a model's arguments; raise ``ToolArgumentsError`` if wrong."""
        try:
            parsed = self.arguments_model.model_validate(dict(arguments))
        except _validation_error() as exc:
            raise ToolArgumentsError(_describe(self.name, exc), tool_name=self.name) from exc
        model_fields = type(parsed).model_fields
        return {str(info.alias): getattr(parsed, key) for key, info in model_fields.items()}

    async def invoke(self, arguments: Mapping[str, Any]) -> Any:
        """Validate ``arguments`` and run the function (a sync one in a tool thread)."""
        kwargs = self.validate(arguments)
        if self.is_async:
            return await cast(Callable[..., Awaitable[Any]], self.func)(**kwargs)
        func = cast(Callable[..., Any], self.func)
        if self.inline:
            return func(**kwargs)
        return await run_in_tool_thread(self.name, func, kwargs)


def _warn_if_vague(name: str, description: str, func: Callable[..., Any]) -> None:
    """Warn, at definition, about what leaves a model guessing how to call the tool."""
    problems = []
    if not description.strip():
        problems.append("no description (add a docstring or description=...)")
    untyped = [
        param.name
        for param in inspect.signature(func).parameters.values()
        if param.annotation is inspect.Parameter.empty
    ]
    if untyped:
        names = ", ".join(repr(n) for n in untyped)
        problems.append(f"no type hint for {names} (the model is told any value will do)")
    if problems:
        text = f"tool {name!r}: " + "; ".join(problems)
        warnings.warn(text, ToolDefinitionWarning, stacklevel=_caller_level())


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside ``locus.tools`` (the user's line)."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith("locus.tools"):
        frame = frame.f_back
        level += 1
    return level


def _validation_error() -> type[ValidationError]:
    from pydantic import ValidationError

    return ValidationError


def _describe(name: str, exc: ValidationError) -> str:
    """A short, model-readable list of what was wrong with the arguments."""
    problems = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "(arguments)"
        problems.append(f"{where}: {error['msg']}")
    return f"invalid arguments for tool {name!r}: " + "; ".join(problems)
