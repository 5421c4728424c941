"""The keyword options of ``Agent(...)`` and of its runs, and the ``RunConfig`` built from them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from locus._lazy import lazy_exports
from locus.agent._conversation import check_system_prompt
from locus.agent._hookset import as_hooks
from locus.agent._options import (
    check_callable,
    check_mode,
    check_positive,
    check_retries,
)
from locus.agent._run import RunConfig
from locus.agent._subagents import handoff_tool
from locus.agent._threads import open_store
from locus.agent._toolbox import Toolbox, check_name, default_name
from locus.agent._validators import as_validators
from locus.core.errors import ConfigurationError
from locus.core.model import Model
from locus.tools._executor import split_tools
from locus.tools._results import DEFAULT_MAX_RESULT_CHARS

if TYPE_CHECKING:  # (TypedDicts for the checker: their module is imported on demand)
    from locus.agent._option_types import AgentOptions, RunOptions

__all__ = ["AgentOptions", "RunOptions", "build_config"]


def build_config(model: Model, tools: Sequence[object], options: AgentOptions) -> RunConfig:
    """Check every option and build the agent's ``RunConfig``."""
    get: Any = options.get
    check_positive("max_iterations", get("max_iterations", 10), integer=True)
    check_positive("tool_timeout", get("tool_timeout"))
    check_positive("run_timeout", get("run_timeout"))
    chars = get("max_tool_result_chars", DEFAULT_MAX_RESULT_CHARS)
    check_positive("max_tool_result_chars", chars, integer=True)
    check_positive("max_handoffs", get("max_handoffs", 5), integer=True)
    check_positive("max_run_tokens", get("max_run_tokens"), integer=True)
    check_callable("history_processor", get("history_processor"), "fn(messages) -> messages")
    check_mode(get("output_mode", "auto"))
    own, toolsets = split_tools(tools)
    handoffs = _handoffs(get("handoffs"))
    transfers = [handoff_tool(agent) for agent in handoffs.values()]
    toolbox = Toolbox(
        own + transfers, toolsets, timeout=get("tool_timeout"), max_result_chars=chars
    )
    return RunConfig(
        model=model,
        toolbox=toolbox,
        system_prompt=check_system_prompt(get("system_prompt")),
        max_iterations=get("max_iterations", 10),
        call_kwargs=dict(get("call_kwargs") or {}),
        concurrent_tools=get("concurrent_tools", True),
        thread_store=open_store(get("thread_store")),
        history_processor=get("history_processor"),
        output_mode=get("output_mode", "auto"),
        output_retries=check_retries(get("output_retries", 2)),
        output_validators=as_validators(get("output_validators")),
        name=check_name(options["name"]) if "name" in options else default_name(model.model_id),
        named="name" in options,
        hooks=as_hooks(get("hooks"), "Agent()"),
        deps_type=get("deps_type"),
        handoffs=handoffs,
        handoff_tools={t.name: t.name.removeprefix("transfer_to_") for t in transfers},
        max_handoffs=get("max_handoffs", 5),
        max_run_tokens=get("max_run_tokens"),
        approvals=any(item.requires_approval is not False for item in own),
    )


def _handoffs(agents: Any) -> dict[str, Any]:
    """``handoffs=[agent, ...]`` by name (the ``transfer_to_<name>`` tools are made per run)."""
    if not agents:
        return {}
    from locus.agent._agent import Agent

    found: dict[str, Any] = {}
    for item in agents:
        if not isinstance(item, Agent):
            raise ConfigurationError(f"handoffs must be Agents, got {type(item).__name__}")
        if item.name in found:
            raise ConfigurationError(f"two handoff agents are named {item.name!r}")
        found[item.name] = item
    return found


def check_deps(deps_type: Any, deps: Any) -> None:
    """``deps=`` must be an instance of ``deps_type`` when that is a plain class."""
    if deps_type is None or not isinstance(deps_type, type):
        return
    if not isinstance(deps, deps_type):
        raise ConfigurationError(
            f"this agent was built with deps_type={deps_type.__name__}; pass "
            f"deps={deps_type.__name__}(...) to the run, got {type(deps).__name__}"
        )


__getattr__, __dir__ = lazy_exports(
    __name__, dict.fromkeys(("AgentOptions", "RunOptions"), "locus.agent._option_types")
)
