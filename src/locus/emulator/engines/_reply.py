"""A finished reply: plausible token counts, and the cut a ``max_tokens`` limit makes."""

from __future__ import annotations

import json

from locus.emulator._conversation import Call, Conversation, Reply, count_words

__all__ = ["finish_reply"]


def finish_reply(
    conversation: Conversation, text: str = "", calls: tuple[Call, ...] = (), reasoning: str = ""
) -> Reply:
    """A reply with plausible token counts, cut to ``max_tokens`` words when it is longer."""
    finish = "tool_calls" if calls else "stop"
    words = text.split(" ")
    limit = conversation.max_tokens
    if limit is not None and not calls and count_words(text) > limit:
        text = " ".join(words[:limit])
        finish = "length"
    completion = count_words(text) + count_words(reasoning)
    completion += sum(count_words(json.dumps(c.arguments)) + 1 for c in calls)
    return Reply(
        text=text,
        calls=calls,
        finish=finish,
        prompt_tokens=conversation.prompt_words(),
        completion_tokens=max(completion, 1),
        reasoning=reasoning,
    )
