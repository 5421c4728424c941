"""What a run needs from its agent (``RunConfig``, built once per agent) and what one run
was asked to do (``RunRequest``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from locus.agent._threads import default_store
from locus.agent._toolbox import Toolbox
from locus.agent._validators import OutputValidator
from locus.core.messages import Message
from locus.core.model import Model

if TYPE_CHECKING:
    from locus.agent._conversation import SystemPrompt
    from locus.agent._history import HistoryProcessor
    from locus.agent._state import RunState
    from locus.stores import ThreadStore

__all__ = ["RunConfig", "RunRequest"]


@dataclass(slots=True, eq=False)
class RunConfig:
    """Everything a run needs from its agent, built once per agent."""

    model: Model
    toolbox: Toolbox
    system_prompt: SystemPrompt
    """A text, or a function of the run's ``RunContext`` called at its start."""
    max_iterations: int
    call_kwargs: dict[str, Any]
    concurrent_tools: bool
    thread_store: ThreadStore | None
    """``None`` until ``store()`` is first called: the default in-memory store is made then."""
    history_processor: HistoryProcessor | None = None
    output_type: Any = None
    output_mode: str = "auto"
    output_retries: int = 2
    output_validators: tuple[OutputValidator, ...] = ()
    name: str = "agent"
    named: bool = True
    """Whether ``name`` was given (``False``: made from the model id, ``default_name``)."""
    hooks: tuple[object, ...] = ()
    deps_type: Any = None
    handoffs: dict[str, Any] = field(default_factory=dict)
    """Agents this one may hand the conversation to, by name."""
    handoff_tools: dict[str, str] = field(default_factory=dict)
    """``transfer_to_<name>`` tool name -> agent name."""
    max_handoffs: int = 5
    max_run_tokens: int | None = None
    """Total tokens a run may use before a model call (``None``: no budget)."""
    approvals: bool = False
    """Whether any of the agent's own tools may need approval."""
    handoff_history: dict[str, Any] = field(default_factory=dict)
    """History filters of ``Handoff(agent, history=...)`` entries, by agent name."""
    active: set[Any] = field(default_factory=set)
    """The ``AgentRun``s in flight (``Agent.cancel`` stops them)."""

    def store(self) -> ThreadStore:
        if self.thread_store is None:  # no sqlite3 (locus.stores) for an agent without threads
            self.thread_store = default_store()
        return self.thread_store


@dataclass(slots=True)
class RunRequest:
    """What one run was asked to do (checked by ``Agent``)."""

    prompt: Sequence[Message]
    thread_id: str | None = None
    timeout: float | None = None
    history: Sequence[Message] = ()
    output_type: Any = None
    deps: Any = None
    hooks: tuple[object, ...] = ()
    state: RunState | None = None
    """A paused run to resume (with ``approvals``); ``None`` with a thread: the stored one."""
    resume: bool = False
    approvals: dict[str, Any] = field(default_factory=dict)
    max_run_tokens: int | None = None
    """This run's token budget (``None``: the agent's ``max_run_tokens``)."""
    documents: tuple[dict[str, Any], ...] | None = None
    """The documents each of the run's model calls is grounded on (``documents=``)."""
    watched: bool = True
    """Whether a caller reads the run's events as they come (``run``/``stream``); false
    for ``arun``/``resume``, which only drain them: a model stream that broke after some
    deltas is then retried (``_unwatched``), since nobody saw them."""
