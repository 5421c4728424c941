"""Paused runs: ``RunState`` (serialisable), the pending calls, and ``Approve``/``Deny``.

A run that meets a tool call needing approval stops with a ``RunState``: the whole
conversation (the assistant turn with its tool calls last), the results of the calls
of that turn that needed no approval and already ran, the pending calls, the metrics
and usage so far; the agent that paused and the handoffs that led to it (with what a
``Handoff(history=...)`` filter showed it); and the paused runs of agents used as tools
in that turn, nested under the calling call's id (``locus.agent._nested``).

``dump()`` is versioned JSON bytes; ``RunState.load`` reads it back in any process.
Version 2 adds ``handoffs``, ``view``/``view_from``, ``nested`` and a pending call's
``path``; a state that holds none of them is still written as version 1, so a process
of an earlier release can resume it, and version 1 dumps load as they always did (no
handoff record: see ``docs/approvals.md``). Nothing in it is secret beyond what the
conversation itself holds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from locus.agent._ids import new_id
from locus.core._json_values import argument_problem
from locus.core.errors import ConfigurationError, SerializationError
from locus.core.messages import Message, ToolCall, dump_messages, load_messages
from locus.core.usage import Usage

__all__ = ["Approval", "Approve", "Deny", "PendingCall", "RunState", "check_approvals", "new_id"]

_VERSION = 2
_READS = (1, 2)


@dataclass(slots=True, frozen=True)
class Approve:
    """Run the call; ``arguments`` (when given) replace the model's arguments."""

    arguments: dict[str, Any] | None = None


@dataclass(slots=True, frozen=True)
class Deny:
    """Do not run the call; the model reads ``reason`` as the call's (error) result."""

    reason: str = "the call was denied"


Approval = Approve | Deny


@dataclass(slots=True, frozen=True)
class PendingCall:
    """A tool call waiting for a decision: the call ``id``, the ``tool`` and its ``arguments``.

    ``path`` names the agents used as tools from this run down to the one whose call it
    is: ``()`` for the run's own call, ``("clerk",)`` for a call of the sub-agent clerk,
    ``("desk", "clerk")`` one level deeper (``agent`` is its last name, or ``""``).
    """

    id: str
    tool: str
    arguments: dict[str, Any]
    path: tuple[str, ...] = ()

    @property
    def agent(self) -> str:
        """The sub-agent that asks (``""``: the run's own agent)."""
        return self.path[-1] if self.path else ""


@dataclass(slots=True)
class RunState:
    """A paused run, ready to be resumed with ``agent.resume(state, approvals=...)``."""

    messages: list[Message]
    pending: list[PendingCall]
    results: dict[str, Message] = field(default_factory=dict)
    """Results of the paused turn's calls that already ran, by call id."""
    metrics: dict[str, Any] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    run_id: str = ""
    agent_name: str = ""
    thread_id: str | None = None
    history_from: int = 0
    new_from: int = 0
    id: str = field(default_factory=lambda: new_id())
    """This pause's identity: a resumed id is never resumed again."""
    handoffs: list[str] = field(default_factory=list)
    """The agents the run transferred the conversation to, in order (they count against
    ``max_handoffs``); ``agent_name`` is found by following them on resume."""
    view: list[Message] | None = None
    """After a ``Handoff(history=...)`` transfer: the messages its filter kept, which the
    receiving agent's model is shown, followed by ``messages[view_from:]``."""
    view_from: int = 0
    nested: dict[str, RunState] = field(default_factory=dict)
    """Paused runs of agents used as tools, by the id of the call of this turn that runs
    each; their pending calls are listed in ``pending`` (with a ``path``)."""
    documents: tuple[dict[str, Any], ...] | None = None
    """The run's ``documents=`` (a grounded run): its resumed model calls are sent them too."""

    def dump(self) -> bytes:
        """Versioned JSON bytes (``RunState.load`` reads them, in any process)."""
        return json.dumps(self.to_json(), ensure_ascii=False).encode()

    def to_json(self) -> dict[str, Any]:
        """The state as a JSON object (what a thread's metadata holds): version 1 unless
        it holds what only version 2 can say."""
        results = list(self.results.values())
        data: dict[str, Any] = {
            "v": 1,
            "id": self.id,
            "run_id": self.run_id,
            "agent_name": self.agent_name,
            "thread_id": self.thread_id,
            "history_from": self.history_from,
            "new_from": self.new_from,
            "messages": json.loads(dump_messages(self.messages))["messages"],
            "results": json.loads(dump_messages(results))["messages"],
            "pending": [_pending_json(call) for call in self.pending],
            "metrics": dict(self.metrics),
            "usage": dict(self.usage),
        }
        more: dict[str, Any] = {}  # what only version 2 says
        if self.handoffs:
            more["handoffs"] = list(self.handoffs)
        if self.view is not None:
            more["view"] = json.loads(dump_messages(self.view))["messages"]
            more["view_from"] = self.view_from
        if self.nested:
            more["nested"] = {call_id: sub.to_json() for call_id, sub in self.nested.items()}
        if self.documents is not None:
            more["documents"] = [dict(document) for document in self.documents]
        if more or any(call.path for call in self.pending):
            data.update(more, v=_VERSION)
        return data

    @classmethod
    def load(cls, data: bytes | str | Mapping[str, Any]) -> RunState:
        """A state ``dump()`` wrote; anything else is a ``SerializationError``."""
        try:
            raw = data if isinstance(data, Mapping) else json.loads(data)
            return _from_json(raw)
        except SerializationError:
            raise
        except (ValueError, TypeError, KeyError) as exc:
            raise SerializationError(f"not a RunState dump: {type(exc).__name__}: {exc}") from None

    def __repr__(self) -> str:
        calls = ", ".join(f"{'/'.join((*p.path, p.tool))}({p.id})" for p in self.pending)
        return f"RunState(id={self.id!r}, thread_id={self.thread_id!r}, pending=[{calls}])"


def _pending_json(call: PendingCall) -> dict[str, Any]:
    data = asdict(call)
    if call.path:
        data["path"] = list(call.path)
    else:
        del data["path"]  # (as version 1 wrote it)
    return data


def _from_json(raw: Any) -> RunState:
    if not isinstance(raw, Mapping) or raw.get("v") not in _READS:
        found = raw.get("v") if isinstance(raw, Mapping) else type(raw).__name__
        versions = " or ".join(map(str, _READS))
        raise SerializationError(f"not a RunState dump of version {versions} (found {found!r})")
    messages = _messages(raw["messages"])
    results = _messages(raw["results"])
    pending = [
        PendingCall(
            str(p["id"]), str(p["tool"]), dict(p["arguments"]), tuple(map(str, p.get("path", ())))
        )
        for p in raw["pending"]
    ]
    view = raw.get("view")
    return RunState(
        messages=messages,
        pending=pending,
        results={m.tool_call_id or "": m for m in results},
        metrics=dict(raw["metrics"]),
        usage=Usage(**{k: int(v) for k, v in dict(raw["usage"]).items()}),
        run_id=str(raw["run_id"]),
        agent_name=str(raw["agent_name"]),
        thread_id=raw["thread_id"],
        history_from=int(raw["history_from"]),
        new_from=int(raw["new_from"]),
        id=str(raw["id"]),
        handoffs=[str(name) for name in raw.get("handoffs", ())],
        view=None if view is None else _messages(view),
        view_from=int(raw.get("view_from", 0)),
        nested={str(k): _from_json(v) for k, v in dict(raw.get("nested", {})).items()},
        documents=_documents(raw.get("documents")),
    )


def _documents(items: Any) -> tuple[dict[str, Any], ...] | None:
    if items is None:
        return None
    if not isinstance(items, list) or not all(isinstance(d, Mapping) for d in items):
        raise SerializationError("a RunState's documents must be a list of JSON objects")
    return tuple(dict(d) for d in items)


def _messages(items: Any) -> list[Message]:
    return load_messages(json.dumps({"v": 1, "messages": items}))


def check_approvals(state: RunState, approvals: Mapping[str, Any] | None) -> dict[str, Approval]:
    """Every pending call needs a decision (``Approve()`` or ``Deny(reason)``), and only they."""
    given = dict(approvals or {})
    ids = [p.id for p in state.pending]
    missing = [i for i in ids if i not in given]
    unknown = [i for i in given if i not in ids]
    bad = [i for i, v in given.items() if not isinstance(v, Approve | Deny)]
    if missing or unknown or bad:
        raise ConfigurationError(
            f"approvals must map each pending call id to Approve() or Deny('reason'); "
            f"pending: {ids}, missing: {missing}, unknown: {unknown}, not Approve/Deny: {bad}"
            f"{_earlier(state, unknown)}"
        )
    for call_id, decision in given.items():
        arguments = decision.arguments if isinstance(decision, Approve) else None
        if arguments is not None and (problem := argument_problem(arguments)) is not None:
            raise ConfigurationError(
                f"Approve(arguments=...) for call {call_id!r} is {problem}: the arguments "
                "go into events, durable histories and served streams as JSON; pass finite "
                "numbers (or None), nested no deeper than JSON allows"
            )
    return given


def _earlier(state: RunState, unknown: list[str]) -> str:
    """A note when an unknown id names a call of an earlier turn (a stale decision)."""
    earlier = {c.id for m in state.messages[:-1] for c in m.tool_calls}
    stale = [i for i in unknown if i in earlier]
    if not stale:
        return ""
    return (
        f"; {stale} named call(s) of an earlier turn, already answered: a decision sent "
        "again late must not decide a newer call"
    )


def pending_call(call: ToolCall) -> PendingCall:
    return PendingCall(call.id, call.name, dict(call.arguments))
