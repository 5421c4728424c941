"""``@tool``: turn a function (sync or async) into a ``Tool`` a model can call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, overload

from locus.tools._tool import ApprovalRule, Tool

__all__ = ["Tool", "tool"]

P = ParamSpec("P")
R = TypeVar("R")


@overload
def tool(func: Callable[P, R], /) -> Tool[P, R]: ...


@overload
def tool(
    *,
    name: str | None = None,
    description: str | None = None,
    timeout: float | None = None,
    run_in_thread: bool | None = None,
    requires_approval: ApprovalRule = False,
) -> Callable[[Callable[P, R]], Tool[P, R]]: ...


def tool(
    func: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    timeout: float | None = None,
    run_in_thread: bool | None = None,
    requires_approval: ApprovalRule = False,
) -> Tool[P, R] | Callable[[Callable[P, R]], Tool[P, R]]:
    """Use as ``@tool`` or ``@tool(name=..., description=..., timeout=..., run_in_thread=...,
    requires_approval=...)``.

    The description defaults to the docstring's summary; each argument's
    description comes from its Google- or NumPy-style docstring entry. A sync
    function runs in a tool thread; ``run_in_thread=False`` runs it inline on the
    event loop (only for tools that take microseconds: nothing can interrupt it).
    ``requires_approval=True`` (or ``fn(call, ctx) -> bool``) pauses a run before the
    call until a person approves it (``docs/approvals.md``).
    """
    options: dict[str, Any] = {
        "name": name,
        "description": description,
        "timeout": timeout,
        "run_in_thread": run_in_thread,
        "requires_approval": requires_approval,
    }
    if func is not None:
        return Tool(func, **options)

    def wrap(inner: Callable[P, R]) -> Tool[P, R]:
        return Tool(inner, **options)

    return wrap
