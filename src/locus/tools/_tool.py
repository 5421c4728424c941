"""``Tool``: a Python function together with the description a model is shown."""

from __future__ import annotations

import functools
import inspect
import sys
import warnings
from collections.abc import Awaitable, Callable, Mapping
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, cast

from locus.core.errors import ConfigurationError, ToolArgumentsError
from locus.core.toolspec import ToolSpec

if TYPE_CHECKING:  # pydantic loads with the first tool, not with ``import locus.agent``
    from pydantic import BaseModel, ValidationError

    from locus.tools._fast_args import FastArguments
    from locus.tools._threads import ToolJob

__all__ = ["ApprovalRule", "Tool", "ToolDefinitionWarning", "tool_threads"]

P = ParamSpec("P")
R = TypeVar("R")

ApprovalRule = bool | Callable[..., bool | Awaitable[bool]]
"""``requires_approval``: always, never, or ``fn(call, ctx) -> bool`` (sync or async)."""


class ToolDefinitionWarning(UserWarning):
    """A tool a model will find hard to use: no description, or untyped parameters."""


_threads: ModuleType | None = None


def tool_threads() -> ModuleType:
    """``locus.tools._threads``, imported by the first sync tool call (an agent whose tools
    are all async never starts, or imports, the thread pool)."""
    global _threads
    if _threads is None:
        from locus.tools import _threads as module

        _threads = module
    return _threads


class Tool(Generic[P, R]):
    """A callable tool. Calling it calls the function; ``spec`` describes it to models.

    ``timeout`` (seconds) overrides the executor's per-tool timeout. A sync
    function runs in a tool thread (``locus.tools._threads``) so that it cannot block
    the event loop; a thread cannot be interrupted, so on a timeout or a cancelled run
    a sync tool runs on there, is reported, and its result is dropped.
    ``run_in_thread=False`` runs a sync function inline on the event loop instead: for
    tools known to take microseconds; no timeout or deadline can interrupt such a call.

    ``requires_approval`` (``True`` or ``fn(call, ctx) -> bool``, sync or async) makes a
    run stop before the call until a person approves it (see ``docs/approvals.md``).
    A parameter annotated ``RunContext`` (or ``RunContext[Deps]``) receives the run's
    context; it is not shown to the model.
    """

    arguments_model: type[BaseModel] | None
    _fast: FastArguments | None
    schema: dict[str, Any] | None
    context_param: str | None

    def __init__(
        self,
        func: Callable[P, R],
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
        run_in_thread: bool | None = None,
        requires_approval: ApprovalRule = False,
    ) -> None:
        if not callable(func):
            raise ConfigurationError(f"@tool needs a function, got {func!r}")
        functools.update_wrapper(self, func, updated=())
        from locus.tools._docstrings import parse_docstring

        doc = parse_docstring(inspect.getdoc(func))
        self.func = func
        name = name or getattr(func, "__name__", "")
        if not name:
            raise ConfigurationError(
                f"a {type(func).__name__} has no __name__ to name its tool: pass name=..., "
                'e.g. tool(func, name="lookup")'
            )
        if inspect.isasyncgenfunction(func):
            raise ConfigurationError(
                f"tool {name!r} is an async generator function: a tool gives one value; "
                "collect the items and return a list"
            )
        self._setup(func, str(name), timeout, requires_approval)
        self.description = description if description is not None else doc.summary
        if self.is_async and run_in_thread:
            raise ConfigurationError(f"tool {self.name!r}: run_in_thread is for sync functions")
        self.inline = run_in_thread is False
        from locus.tools._fast_args import fast_arguments
        from locus.tools._schema import arguments_model, context_parameter, json_schema

        self.context_param = context_parameter(func, self.name)
        model = arguments_model(func, self.name, doc.params, skip=self.context_param)
        self.arguments_model, self.schema = model, None
        self._fast = fast_arguments(model)
        self.spec = ToolSpec(self.name, self.description, json_schema(model, self.name))
        _warn_if_vague(self.name, self.description, func, self.context_param)

    @classmethod
    def from_schema(
        cls,
        name: str,
        description: str,
        parameters: Mapping[str, Any],
        handler: Callable[[dict[str, Any]], Awaitable[Any]] | Callable[[dict[str, Any]], Any],
        *,
        timeout: float | None = None,
        requires_approval: ApprovalRule = False,
        strict: bool = False,
    ) -> Tool[..., Any]:
        """A tool described by a JSON schema whose ``handler`` takes the arguments as a dict.

        The schema is simplified for OCI (``$ref`` inlined, ...; closed when ``strict``
        and it can be); arguments are checked against its basics (required names, types,
        enums) before ``handler`` runs, and a failure is a ``ToolArgumentsError`` the
        model reads. MCP tools, agents as tools and handoffs are built this way.
        """
        from locus.core._json_schema import simplify_schema, strict_schema

        if not callable(handler):
            raise ConfigurationError(f"tool {name!r}: handler must be a function of a dict")
        if not isinstance(parameters, Mapping) or parameters.get("type", "object") != "object":
            raise ConfigurationError(f"tool {name!r}: parameters must be an object JSON schema")
        made: Tool[..., Any] = cls.__new__(cls)
        made.func = handler
        made._setup(handler, name, timeout, requires_approval)
        made.description = str(description or "")
        made.inline, made.arguments_model, made.context_param = False, None, None
        made._fast = None
        made.schema = simplify_schema(parameters)
        shown = (strict_schema(made.schema) if strict else None) or made.schema
        made.spec = ToolSpec(made.name, made.description, shown)
        made.__doc__ = made.description
        return made

    def _setup(
        self, func: Callable[..., Any], name: str, timeout: float | None, approval: ApprovalRule
    ) -> None:
        self.name = str(name)
        if not self.name.isidentifier() and not self.name.replace("-", "_").isidentifier():
            raise ConfigurationError(
                f"invalid tool name {self.name!r}: use letters, digits, '_' and '-' (pass name=...)"
            )
        if timeout is not None and not timeout > 0:
            raise ConfigurationError(f"tool {self.name!r}: timeout must be positive")
        if not isinstance(approval, bool) and not callable(approval):
            raise ConfigurationError(
                f"tool {self.name!r}: requires_approval must be a bool or fn(call, ctx) -> bool"
            )
        self.timeout = timeout
        self.requires_approval = approval
        self.is_async = inspect.iscoroutinefunction(func)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Tool(name={self.name!r})"

    def validate(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and coerce a model's arguments; raise ``ToolArgumentsError`` if wrong."""
        if self.arguments_model is None:
            from locus.tools._schema import check_arguments

            check_arguments(self.name, self.schema or {}, arguments)
            return dict(arguments)
        fast = self._fast
        if fast is not None and fast.model is self.arguments_model:
            valid = fast(arguments)  # plain scalars of the right types: pydantic's answer
            if valid is not None:
                return valid
        try:
            parsed = self.arguments_model.model_validate(dict(arguments))
        except _validation_error() as exc:
            raise ToolArgumentsError(_describe(self.name, exc), tool_name=self.name) from exc
        model_fields = type(parsed).model_fields
        return {str(info.alias): getattr(parsed, key) for key, info in model_fields.items()}

    def start_in_thread(self, arguments: Mapping[str, Any], context: Any = None) -> ToolJob | None:
        """Hand a call of a plain sync tool to a tool thread at once, when its arguments
        pass the scalar fast path (``None``: the call needs ``invoke``)."""
        fast = self._fast
        if fast is None or self.is_async or self.inline or fast.model is not self.arguments_model:
            return None
        kwargs = fast(arguments)
        if kwargs is None:
            return None
        if self.context_param is not None:
            kwargs[self.context_param] = context
        func = cast("Callable[..., Any]", self.func)
        job: ToolJob = tool_threads().start_in_tool_thread(self.name, func, kwargs)
        return job

    async def invoke(self, arguments: Mapping[str, Any], context: Any = None) -> Any:
        """Validate ``arguments`` and run the function (a sync one in a tool thread).

        ``context`` is the run's ``RunContext``, handed to the parameter that asks for it.
        """
        kwargs = self.validate(arguments)
        if self.arguments_model is None:  # a schema tool: its handler takes the dict
            kwargs = {"arguments": kwargs}
            return await _call_handler(self, kwargs)
        if self.context_param is not None:
            kwargs[self.context_param] = context
        if self.is_async:
            return await cast("Callable[..., Awaitable[Any]]", self.func)(**kwargs)
        func = cast("Callable[..., Any]", self.func)
        if self.inline:
            return func(**kwargs)
        return await tool_threads().run_in_tool_thread(self.name, func, kwargs)


async def _call_handler(made: Tool[..., Any], kwargs: dict[str, Any]) -> Any:
    """Call a schema tool's handler with the arguments dict (positionally)."""
    handler = made.func
    if made.is_async:
        return await handler(kwargs["arguments"])
    run_in_tool_thread = tool_threads().run_in_tool_thread
    value = await run_in_tool_thread(made.name, lambda arguments: handler(arguments), kwargs)
    if inspect.isawaitable(value):  # a sync callable that returned a coroutine
        return await value
    return value


def _warn_if_vague(
    name: str, description: str, func: Callable[..., Any], skip: str | None = None
) -> None:
    """Warn, at definition, about what leaves a model guessing how to call the tool."""
    problems = []
    if not description.strip():
        problems.append("no description (add a docstring or description=...)")
    untyped = [
        param.name
        for param in inspect.signature(func).parameters.values()
        if param.annotation is inspect.Parameter.empty and param.name != skip
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
