"""``RunContext``: what a hook or a tool sees of the run it is part of."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from locus.core.messages import Message
from locus.core.usage import Usage

__all__ = ["DepsT", "RunContext"]

if TYPE_CHECKING:  # a TypeVar default needs typing_extensions, for the checker only
    from typing_extensions import TypeVar as DefaultTypeVar

    DepsT = DefaultTypeVar("DepsT", default=Any)
else:
    DepsT = TypeVar("DepsT")
"""The type of ``deps`` (``Agent(deps_type=...)``)."""


@dataclass(slots=True, eq=False)
class RunContext(Generic[DepsT]):
    """The run a hook or tool call belongs to.

    ``deps`` is what the caller passed as ``run(..., deps=...)``: a database pool, the
    user's identity, anything a tool needs without globals. ``messages`` is the
    conversation so far (read it, do not change it; a hook changes what the model is
    sent through ``before_model_call``), ``usage`` the token totals so far. A tool
    parameter annotated ``RunContext`` (or ``RunContext[MyDeps]``) receives it and is
    not part of the tool's schema.
    """

    __locus_run_context__: ClassVar[bool] = True  # recognised by locus.tools

    agent_name: str
    run_id: str
    thread_id: str | None
    iteration: int
    deps: DepsT
    messages: list[Message] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    tool_call_id: str | None = None
    """Inside a tool call (and its hooks): the call's id; ``None`` elsewhere."""
    run_ref: Any = field(default=None, repr=False)
    """A weak reference to the run (internal; see ``run``)."""

    @property
    def run(self) -> Any:
        """The run itself (internal: sub-agents roll their usage up into it), while it lives."""
        ref = self.run_ref
        return ref() if ref is not None else None

    @run.setter
    def run(self, value: Any) -> None:
        self.run_ref = weakref.ref(value) if value is not None else None

    def for_call(self, call_id: str) -> RunContext[DepsT]:
        """A copy for one tool call (parallel calls each have their own)."""
        return RunContext(
            self.agent_name,
            self.run_id,
            self.thread_id,
            self.iteration,
            self.deps,
            self.messages,
            self.usage,
            call_id,
            self.run_ref,
        )
