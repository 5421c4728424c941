"""Context-window processors: trim what is sent to the model, never what is stored.

``Agent(history_processor=fn)`` calls ``fn(messages)`` (sync or async) before each
model call, on the messages about to be sent. The two built-ins here keep every
system message, cut only where a turn starts (a user message), and never cut between
an assistant tool call and its tool results, so the model never sees an answer without
its question. When even the newest turn is over the limit, the newest turn is still
sent: a run always shows the model its prompt.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Awaitable, Callable, Sequence

from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.core.usage import Usage

__all__ = [
    "HistoryProcessor",
    "apply_history_processor",
    "estimate_tokens",
    "keep_last_turns",
    "record_usage",
    "turn_starts",
    "within_token_budget",
]

HistoryProcessor = Callable[[list[Message]], list[Message] | Awaitable[list[Message]]]
"""``fn(messages) -> messages`` (or an awaitable of them), run before each model call."""

_PER_MESSAGE = 4  # role and framing tokens each message costs, roughly
_recorded: dict[int, tuple[weakref.ref[Message], Usage]] = {}


def record_usage(message: Message, usage: Usage) -> None:
    """Remember the usage of the model answer ``message`` (for ``estimate_tokens``)."""
    key = id(message)

    def forget(_: object, key: int = key) -> None:
        _recorded.pop(key, None)

    _recorded[key] = (weakref.ref(message, forget), usage)


def _usage_of(message: Message) -> Usage | None:
    entry = _recorded.get(id(message))
    if entry is None or entry[0]() is not message:
        return None
    return entry[1]


def estimate_tokens(message: Message) -> int:
    """Tokens ``message`` costs: the model's own count for an answer it gave in this
    process (``completion_tokens``), else about one token per four characters."""
    usage = _usage_of(message)
    if usage is not None and usage.completion_tokens > 0:
        return usage.completion_tokens + _PER_MESSAGE
    chars = len(message.text) + len(message.reasoning or "")
    for call in message.tool_calls:
        chars += len(call.name) + len(str(call.arguments)) + len(call.raw_arguments or "")
    return chars // 4 + _PER_MESSAGE


def _split_system(messages: Sequence[Message]) -> tuple[list[Message], list[Message]]:
    system = [m for m in messages if m.role == "system"]
    rest = [m for m in messages if m.role != "system"]
    return system, rest


def turn_starts(messages: Sequence[Message]) -> list[int]:
    """Indexes where a cut may start: a user message with no tool call open before it."""
    open_calls: set[str] = set()
    starts: list[int] = []
    for index, message in enumerate(messages):
        if message.role == "user" and not open_calls:
            starts.append(index)
        for call in message.tool_calls:
            open_calls.add(call.id)
        if message.role == "tool" and message.tool_call_id is not None:
            open_calls.discard(message.tool_call_id)
    return starts


def keep_last_turns(n: int) -> Callable[[list[Message]], list[Message]]:
    """A processor that sends the system prompt and the last ``n`` turns.

    A turn starts at a user message and holds the answers and tool results after it.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ConfigurationError(f"keep_last_turns(n) needs a positive int, got {n!r}")

    def keep(messages: list[Message]) -> list[Message]:
        system, rest = _split_system(messages)
        starts = turn_starts(rest)
        if len(starts) <= n:
            return system + rest
        return system + rest[starts[-n] :]

    return keep


def within_token_budget(
    max_tokens: int, *, estimate: Callable[[Message], int] = estimate_tokens
) -> Callable[[list[Message]], list[Message]]:
    """A processor that drops the oldest turns until the messages fit in ``max_tokens``.

    Tokens are estimated per message with ``estimate`` (default ``estimate_tokens``: the
    usage the model reported for its own answers, else characters / 4). The system
    prompt always stays, and so does the newest turn.
    """
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise ConfigurationError(
            f"within_token_budget(max_tokens) needs a positive int, got {max_tokens!r}"
        )

    def fit(messages: list[Message]) -> list[Message]:
        system, rest = _split_system(messages)
        budget = max_tokens - sum(estimate(m) for m in system)
        costs = [estimate(m) for m in rest]
        total = sum(costs)
        starts = turn_starts(rest)
        cut = 0
        for start in starts:
            if total <= budget:
                break
            if start == 0:
                continue
            total -= sum(costs[cut:start])
            cut = start
        return system + rest[cut:]

    return fit


async def apply_history_processor(fn: HistoryProcessor, messages: list[Message]) -> list[Message]:
    """Run ``fn`` on a copy of ``messages`` and check that it gave messages back."""
    processed = fn(list(messages))
    if inspect.isawaitable(processed):
        processed = await processed
    if not isinstance(processed, list) or not all(isinstance(m, Message) for m in processed):
        raise ConfigurationError(
            f"history_processor must return a list of Message, got {type(processed).__name__}"
        )
    if not processed:
        raise ConfigurationError(
            "history_processor returned no messages; keep at least the newest user prompt"
        )
    return processed
