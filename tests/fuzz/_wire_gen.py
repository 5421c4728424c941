"""Stream events and whole answers of each wire format, as JSON text, from fuzz data.

Each field is usually a plausible value and sometimes any JSON (``json_text``), and each
member may be left out, so that the decoders' deep paths are reached with wrong types,
missing fields and odd values in every place.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.fuzz._json_gen import json_text
from tests.fuzz._support import Provider

__all__ = ["EVENTS", "answer"]

Make = Callable[[Provider], str]

TEXTS = [
    '"Hi"',
    '""',
    '" there"',
    '"<tool_call>"',
    '"</tool_call>"',
    '"<think>"',
    '"</think>"',
    '"{\\"name\\": \\"f\\", \\"arguments\\": {\\"a\\": 1}}"',
    '"[TOOL_CALLS]"',
    "null",
]
PIECES = [
    '""',
    '"{\\"a\\": "',
    '"1}"',
    '"{}"',
    '{"a": 1}',
    '"{\\"a\\": {\\"b\\": [1, \\"}\\"]}}"',
    '"\\\\"',
    '" "',
    "null",
    '"{\\"a\\": 1}"',
    '"[1]"',
    '"\\"{}\\""',
]
IDS = ['"call_0"', '"call_1"', '""', "null"]
NAMES = ['"f"', '"g"', '""', "null"]
STOPS = ['"stop"', '"tool_calls"', '"COMPLETE"', '"ERROR"', '"length"', "null", '""']
INDEXES = ["0", "1", "2", "-1", "0.0", "null"]


def pick(*plausible: str) -> Make:
    """A field maker: one of ``plausible``, or (one time in ten) any JSON value."""

    def make(p: Provider) -> str:
        if not p.ConsumeIntInRange(0, 9):
            return json_text(p)
        return plausible[p.ConsumeIntInRange(0, len(plausible) - 1)]

    return make


def obj(**members: Make) -> Make:
    """An object maker; each member is left out one time in six."""

    def make(p: Provider) -> str:
        kept = [f'"{k}":{m(p)}' for k, m in members.items() if p.ConsumeIntInRange(0, 5)]
        return "{" + ",".join(kept) + "}"

    return make


def arr(item: Make) -> Make:
    """An array maker of zero to three items (rarely any JSON instead)."""

    def make(p: Provider) -> str:
        if not p.ConsumeIntInRange(0, 15):
            return json_text(p)
        return "[" + ",".join(item(p) for _ in range(p.ConsumeIntInRange(0, 3))) + "]"

    return make


def either(*makers: Make) -> Make:
    def make(p: Provider) -> str:
        return makers[p.ConsumeIntInRange(0, len(makers) - 1)](p)

    return make


def rare(maker: Make) -> Make:
    """A field that is usually absent (``null``)."""

    def make(p: Provider) -> str:
        return maker(p) if not p.ConsumeIntInRange(0, 7) else "null"

    return make


TEXT, PIECE, ID, NAME, STOP, INDEX = (pick(*v) for v in (TEXTS, PIECES, IDS, NAMES, STOPS, INDEXES))
COUNT = pick("1", "0", "12", "3.0", "1e3", "-5")
OCI_USAGE = obj(
    promptTokens=COUNT,
    completionTokens=COUNT,
    totalTokens=COUNT,
    completionTokensDetails=obj(reasoningTokens=COUNT),
    promptTokensDetails=obj(cachedTokens=COUNT),
)
OPENAI_USAGE = obj(
    prompt_tokens=COUNT,
    completion_tokens=COUNT,
    total_tokens=COUNT,
    completion_tokens_details=obj(reasoning_tokens=COUNT),
)
OCI_PART = either(
    obj(type=pick('"TEXT"', '"IMAGE"'), text=TEXT), obj(type=pick('"THINKING"'), thinking=TEXT)
)
GENERIC_CALL = obj(id=ID, type=pick('"FUNCTION"'), name=NAME, arguments=PIECE)
V2_CALL = obj(id=ID, type=pick('"FUNCTION"'), function=obj(name=NAME, arguments=PIECE))
GENERIC_MESSAGE = obj(
    role=pick('"ASSISTANT"'),
    content=arr(OCI_PART),
    reasoningContent=rare(TEXT),
    toolCalls=arr(GENERIC_CALL),
)
V2_MESSAGE = obj(
    role=pick('"ASSISTANT"'),
    content=arr(OCI_PART),
    toolPlan=rare(TEXT),
    toolCalls=arr(either(V2_CALL, GENERIC_CALL)),
)
COHERE_CALLS = arr(obj(name=NAME, parameters=pick('{"a": 1}', "{}", "null", '"{}"')))
ERROR = rare(pick('"overloaded"', '{"message": "bad"}'))
OPENAI_FRAGMENT = obj(
    index=INDEX, id=ID, type=pick('"function"'), function=obj(name=NAME, arguments=PIECE)
)
OPENAI_CONTENT = either(TEXT, arr(obj(type=pick('"text"', '"image_url"'), text=TEXT)))
OPENAI_DELTA = obj(
    role=pick('"assistant"'),
    content=OPENAI_CONTENT,
    reasoning_content=rare(TEXT),
    tool_calls=arr(OPENAI_FRAGMENT),
)

EVENTS: dict[str, Make] = {
    "openai": obj(
        id=ID,
        model=pick('"m"'),
        error=ERROR,
        usage=rare(OPENAI_USAGE),
        choices=arr(obj(index=INDEX, delta=OPENAI_DELTA, finish_reason=STOP)),
    ),
    "GENERIC": obj(
        index=INDEX,
        message=GENERIC_MESSAGE,
        finishReason=rare(STOP),
        errorMessage=ERROR,
        usage=rare(OCI_USAGE),
        apiFormat=rare(pick('"COHERE"')),
    ),
    "COHEREV2": obj(
        apiFormat=pick('"COHEREV2"'),
        index=INDEX,
        message=V2_MESSAGE,
        finishReason=rare(STOP),
        errorMessage=ERROR,
        usage=rare(OCI_USAGE),
    ),
    "COHERE": obj(
        apiFormat=pick('"COHERE"'),
        text=TEXT,
        toolCalls=rare(COHERE_CALLS),
        finishReason=rare(STOP),
        errorMessage=ERROR,
        usage=rare(OCI_USAGE),
    ),
}

_OPENAI_ANSWER = obj(
    id=ID,
    model=pick('"m"'),
    error=ERROR,
    usage=OPENAI_USAGE,
    choices=arr(
        obj(
            index=INDEX,
            finish_reason=STOP,
            message=obj(
                role=pick('"assistant"'),
                content=OPENAI_CONTENT,
                reasoning_content=rare(TEXT),
                tool_calls=arr(
                    obj(id=ID, type=pick('"function"'), function=obj(name=NAME, arguments=PIECE))
                ),
            ),
        )
    ),
)
_CHAT_RESPONSES = {
    "GENERIC": obj(
        apiFormat=pick('"GENERIC"'),
        usage=OCI_USAGE,
        errorMessage=ERROR,
        choices=arr(
            obj(index=INDEX, message=GENERIC_MESSAGE, finishReason=STOP, usage=rare(OCI_USAGE))
        ),
    ),
    "COHEREV2": obj(
        apiFormat=pick('"COHEREV2"'),
        message=V2_MESSAGE,
        finishReason=STOP,
        usage=OCI_USAGE,
        errorMessage=ERROR,
    ),
    "COHERE": obj(
        apiFormat=pick('"COHERE"'),
        text=TEXT,
        toolCalls=COHERE_CALLS,
        finishReason=STOP,
        usage=OCI_USAGE,
        errorMessage=ERROR,
    ),
}


def answer(p: Provider, fmt: str) -> str:
    """A whole answer (``complete()``'s body) in ``fmt``."""
    if fmt == "openai":
        return _OPENAI_ANSWER(p)
    return obj(modelId=pick('"m"'), chatResponse=_CHAT_RESPONSES[fmt])(p)
