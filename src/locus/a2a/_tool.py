"""``RemoteAgent.as_tool``: a remote A2A agent as a tool of a Locus agent."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from locus.a2a._errors import A2AError, InputRequiredError, RemoteTaskError
from locus.agent import RunContext
from locus.core.errors import ModelError, ToolExecutionError
from locus.tools import Tool

if TYPE_CHECKING:
    from locus.a2a._card import AgentCard
    from locus.a2a._client import RemoteAgent

__all__ = ["MAX_CONVERSATIONS", "remote_tool", "tool_name"]

MAX_CONVERSATIONS = 1024
"""Conversations (calling threads or runs) a tool remembers the remote context of; past
it, the least recently used is forgotten (its next call starts a new remote context)."""


def tool_name(name: str) -> str:
    """``name`` made a tool name (letters, digits and ``_``, at most 64)."""
    made = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")[:64]
    return made or "remote_agent"


def _description(card: AgentCard) -> str:
    text = card.description or f"Ask the remote agent {card.name} to do a task."
    skills = [
        f"- {s.name}: {s.description}" if s.description else f"- {s.name}" for s in card.skills
    ]
    if skills:
        text += "\n\nIts skills:\n" + "\n".join(skills[:20])
    return text


def remote_tool(
    remote: RemoteAgent, name: str | None, description: str | None, *, keep_context: bool
) -> Tool[..., Any]:
    """The tool of ``RemoteAgent.as_tool``."""
    name = name or remote.name
    description = description or remote.description
    if name is None or description is None:
        card = remote.card_sync()
        name = name or card.name
        description = description or _description(card)
    name = tool_name(name)
    contexts: OrderedDict[str, tuple[str, str | None]] = OrderedDict()
    """A conversation's remote context id, and the task waiting for its input."""

    async def ask(input: str, ctx: RunContext[Any]) -> str:
        key = ctx.thread_id or f"run:{ctx.run_id}"
        context_id, waiting = contexts.get(key, (None, None)) if keep_context else (None, None)
        if waiting is not None and context_id is not None:  # (its input is sent once)
            contexts[key] = (context_id, None)
        try:
            answer = await remote.send(input, context_id=context_id, task_id=waiting)
        except InputRequiredError as exc:
            found = exc.answer
            said = found.status_text or "(it did not say what)"
            if (where := _approvals_path(found.data)) is not None:  # a Locus run paused
                _keep(contexts, key, found.context_id or context_id, keep_context)
                raise ToolExecutionError(
                    f"the remote agent waits for a person to approve its calls: {said} (they "
                    f"are approved at the remote agent's server, {where}; this conversation "
                    "cannot go on there until then: tell the user)",
                    tool_name=name,
                ) from exc
            if keep_context and found.context_id:
                _remember(contexts, key, (found.context_id, found.task_id))
            then = f"call {name} again with the answer" if keep_context else "try again"
            raise ToolExecutionError(
                f"the remote agent needs {_what(found.state)} before it can go on: {said} "
                f"(ask the user for it, then {then})",
                tool_name=name,
            ) from exc
        except RemoteTaskError as exc:
            _keep(contexts, key, exc.answer.context_id or context_id, keep_context)
            state = (exc.answer.state or "").removeprefix("TASK_STATE_").lower()
            said = exc.answer.status_text or "(it did not say why)"
            raise ToolExecutionError(
                f"the remote agent did not do the task ({state}): {said}", tool_name=name
            ) from exc
        except (A2AError, ModelError) as exc:
            _keep(contexts, key, context_id, keep_context)
            raise ToolExecutionError(
                f"the remote agent could not be asked: {type(exc).__name__}: {exc}",
                tool_name=name,
            ) from exc
        _keep(contexts, key, answer.context_id or context_id, keep_context)
        if answer.text or not answer.data:
            return answer.text
        return json.dumps(answer.data[0] if len(answer.data) == 1 else answer.data)

    ask.__doc__ = (
        f"{description}\n\nArgs:\n    input: The task, in full: the remote agent sees "
        "nothing else of this conversation."
    )
    return Tool(ask, name=name, description=description)


def _what(state: str | None) -> str:
    return "authorization" if state and state.endswith("AUTH_REQUIRED") else "input"


def _keep(
    contexts: OrderedDict[str, tuple[str, str | None]],
    key: str,
    context_id: str | None,
    keep: bool,
) -> None:
    if keep and context_id:
        _remember(contexts, key, (context_id, None))


def _remember(
    contexts: OrderedDict[str, tuple[str, str | None]], key: str, value: tuple[str, str | None]
) -> None:
    contexts[key] = value
    contexts.move_to_end(key)
    while len(contexts) > MAX_CONVERSATIONS:
        contexts.popitem(last=False)


def _approvals_path(data: list[Any]) -> str | None:
    """Where a Locus server takes the approvals of a run that paused (the data part of its
    ``input-required`` status), else ``None``."""
    for item in data:
        path = item.get("approvalsPath") if isinstance(item, dict) else None
        if isinstance(path, str) and "pending" in item:
            return path
    return None
