"""The OCI chat API formats by ``apiFormat`` name: GENERIC, COHERE and COHEREV2."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from locus.emulator._conversation import Conversation, Reply
from locus.emulator.wire._cohere import (
    cohere_error_event,
    cohere_events,
    cohere_result,
    parse_cohere,
)
from locus.emulator.wire._coherev2 import (
    coherev2_error_event,
    coherev2_events,
    coherev2_result,
    parse_coherev2,
)
from locus.emulator.wire._generic import (
    generic_error_event,
    generic_events,
    generic_result,
    parse_generic,
)

__all__ = ["CHAT_FORMATS", "ChatFormat", "include_usage"]


@dataclass(frozen=True, slots=True)
class ChatFormat:
    """How one format's requests are read and its answers written.

    ``parse(chat_request, model)``; ``result(reply, conversation, model, version)``;
    ``events(reply, conversation, include_usage, chunk_chars)``; ``error_event(message)``
    is the event that ends a stream whose model failed.
    """

    parse: Callable[[Mapping[str, Any], str], Conversation]
    result: Callable[[Reply, Conversation, str, str], dict[str, Any]]
    events: Callable[[Reply, Conversation, bool, int], Iterator[dict[str, Any]]]
    error_event: Callable[[str], dict[str, Any]]


CHAT_FORMATS: Mapping[str, ChatFormat] = {
    "GENERIC": ChatFormat(parse_generic, generic_result, generic_events, generic_error_event),
    "COHERE": ChatFormat(parse_cohere, cohere_result, cohere_events, cohere_error_event),
    "COHEREV2": ChatFormat(parse_coherev2, coherev2_result, coherev2_events, coherev2_error_event),
}


def include_usage(chat_request: Mapping[str, Any]) -> bool:
    """Whether a streaming chat request asks for usage in its finish event."""
    options = chat_request.get("streamOptions")
    return isinstance(options, Mapping) and bool(options.get("isIncludeUsage"))
