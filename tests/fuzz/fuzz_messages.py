"""Fuzz ``load_messages``, the reader of stored conversations (thread stores, paused
runs, Temporal payloads), with arbitrary bytes and with documents of the right shape
whose fields have wrong types, unknown members and odd values.

Judged by: only ``SerializationError`` escapes; what loads is a list of ``Message`` that
``dump_messages`` writes back (or refuses with ``SerializationError``), and that reads
back equal.

Run: ``.venv/bin/python -m tests.fuzz.fuzz_messages -dict=tests/fuzz/json.dict
-max_total_time=600 <corpus dir>``.
"""

from __future__ import annotations

from locus.core.errors import SerializationError
from locus.core.messages import Message, dump_messages, load_messages
from tests.fuzz._support import Provider, fuzz, provider
from tests.fuzz._wire_gen import arr, obj, pick, rare

TEXT = pick('"hi"', '""', "null", '"\\ud800"', '"\\u0000"')
ROLE = pick('"user"', '"assistant"', '"tool"', '"system"', '"USER"')
CALL = obj(
    id=pick('"c"', '""'),
    name=pick('"f"'),
    arguments=pick("{}", '{"a": [1, null]}', '{"n": NaN}'),
    raw_arguments=rare(TEXT),
)
IMAGE = obj(
    url=pick('"https://x/y.png"', '"data:image/png;base64,AA=="'),
    detail=pick('"auto"', '"low"', '"high"'),
)
MESSAGE = obj(
    role=ROLE,
    content=TEXT,
    tool_calls=arr(CALL),
    tool_call_id=rare(TEXT),
    name=rare(TEXT),
    reasoning=rare(TEXT),
    images=arr(IMAGE),
    is_error=pick("true", "false"),
)
DOCUMENT = obj(v=pick("1", "1.0", "true", "2"), messages=arr(MESSAGE))


def document(p: Provider) -> bytes:
    return DOCUMENT(p).encode("utf-8", "surrogatepass")


def test_one_input(data: bytes) -> None:
    if data:
        check(document(provider(data[1:])) if data[0] % 2 else data[1:])


def check(body: bytes) -> None:
    """``body`` loads or is refused; what loads is written back and read back equal."""
    try:
        messages = load_messages(body)
    except SerializationError:
        return
    assert isinstance(messages, list) and all(isinstance(m, Message) for m in messages)
    try:
        written = dump_messages(messages)
    except SerializationError:
        return
    again = load_messages(written)
    assert again == messages or repr(again) == repr(messages), (messages, again)


if __name__ == "__main__":
    fuzz(test_one_input)
