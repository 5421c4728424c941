"""The keyword options of ``Agent(...)`` and of its runs, as ``TypedDict``s for type
checkers (``Unpack[AgentOptions]``): nothing imports this module when a program runs,
unless it asks ``locus.agent._setup`` for them (``AgentOptions``, ``RunOptions``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from locus.agent._conversation import SystemPrompt
from locus.agent._history import HistoryProcessor
from locus.agent._options import OutputMode
from locus.agent._validators import OutputValidator
from locus.core.messages import Message

if TYPE_CHECKING:
    from locus.stores import ThreadStore

__all__ = ["AgentOptions", "RunOptions"]


class AgentOptions(TypedDict, total=False):
    """``Agent(...)`` keywords besides ``model``, ``tools`` and ``output_type``."""

    name: str
    description: str
    system_prompt: SystemPrompt
    """A text, or a function of the run's ``RunContext`` (sync or async) returning one."""
    max_iterations: int
    model_kwargs: dict[str, Any] | None
    call_kwargs: dict[str, Any] | None
    tool_timeout: float | None
    run_timeout: float | None
    max_tool_result_chars: int | None
    thread_store: ThreadStore | str | None
    concurrent_tools: bool
    history_processor: HistoryProcessor | None
    output_mode: OutputMode
    output_retries: int
    output_validators: Sequence[OutputValidator] | None
    hooks: Sequence[object] | None
    deps_type: Any
    handoffs: Sequence[Any] | None
    """Agents (``Agent``) the model may hand the conversation to."""
    max_handoffs: int
    max_run_tokens: int | None
    """Total tokens (prompt and completion, sub-agents' included) a run may use: once
    reached, the run raises ``UsageLimitError`` instead of calling its model again."""


class RunOptions(TypedDict, total=False):
    """Keywords of ``run``/``arun``/``run_sync`` besides ``prompt`` and ``output_type``."""

    thread_id: str | None
    timeout: float | None
    message_history: Sequence[Message] | None
    deps: Any
    hooks: Sequence[object] | None
    max_run_tokens: int | None
    """This run's token budget, instead of the agent's ``max_run_tokens``."""
    documents: Sequence[Mapping[str, Any]] | None
    """Documents to ground each model call of the run on (a Cohere model answers with
    citations: ``result.citations``)."""
