"""Write the seed corpora of the fuzz targets from the test suite's own data.

Run: ``.venv/bin/python -m tests.fuzz.seeds <dir>``; it makes ``<dir>/<target>/`` for
each target (toolcalls from the parser fixtures and the peers' corpus, sse from the
recorded OCI and emulator streams, arguments and messages from small JSON texts). The
wire, compose and output targets build their inputs from the fuzz data's bytes, so they
start from nothing.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from locus.core.messages import Message, ToolCall, dump_messages
from tests.unit.toolcalls.fixtures import FIXTURES

DATA = Path(__file__).resolve().parents[1] / "data"
_EDGES = [  # (deep nesting and numbers JSON cannot hold, for mutations to grow)
    "<tool_call>" + "[" * 300 + "]" * 300 + "</tool_call>",
    '<|python_tag|>{"name": "f", "arguments": ' + '{"a":' * 200 + "1" + "}" * 200 + "}",
    '[TOOL_CALLS]f[ARGS]{"x": NaN, "y": 1e999}',
]
_FORMAT_INDEX = {"hermes": 2, "qwen3_coder": 3, "llama_json": 4, "llama": 4, "mistral": 6}


def toolcalls() -> Iterable[bytes]:
    for n, text in enumerate(FIXTURES.values()):
        yield bytes([0, n % 3, n, 0]) + text.encode()
    for n, text in enumerate(_EDGES):
        yield bytes([0, 1, n, 2]) + text.encode()
    cases = json.loads((DATA / "conformance" / "toolcall_peer_cases.json").read_text())
    for n, case in enumerate(cases):
        fmt = _FORMAT_INDEX.get(case.get("format", ""), 0)
        yield bytes([fmt, 1, n % 256, 1]) + str(case["text"]).encode()


def sse() -> Iterable[bytes]:
    fixtures = DATA / "oci" / "fixtures"
    for n, path in enumerate(sorted(fixtures.glob("stream_*.sse"))):
        fmt = 2 if "_cohere_" in path.name else 3 if "coherev2" in path.name else 1
        yield bytes([fmt, n, 0]) + path.read_bytes()
    yield b"\x01\x00\x01data: " + b'{"a": "' + b"x" * 5000 + b'"}' + b"\r\n\r\n"
    recorded = json.loads((DATA / "streams" / "emulator_streams.json").read_text())
    for n, stream in enumerate(recorded["streams"].values()):
        yield bytes([1, n, 1]) + "".join(stream).encode()


def arguments() -> Iterable[bytes]:
    texts = ['{"a": 1}', '{"a": "}\\"{"}', '"{\\"a\\": 1}"', "null", " ", '{"a": [1, {"b": {}}]}']
    for n, text in enumerate(texts):
        yield bytes([n, 0, 1]) + text.encode()


def messages() -> Iterable[bytes]:
    call = ToolCall("c", "f", {"a": [1, None]}, raw_arguments="{bad")
    history = [
        Message.system("s"),
        Message.user("u", images=["https://x/y.png"]),
        Message.assistant("a", [call], reasoning="r"),
        Message.tool("t", "c", "f"),
    ]
    yield b"\x00" + dump_messages(history)
    yield b"\x00" + dump_messages([])


TARGETS = {"toolcalls": toolcalls, "sse": sse, "arguments": arguments, "messages": messages}


def main(root: Path) -> None:
    for target, make in TARGETS.items():
        folder = root / target
        folder.mkdir(parents=True, exist_ok=True)
        for seed in make():
            (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    for target in ("wire", "compose", "output"):  # (inputs made from the fuzz data)
        (root / target).mkdir(parents=True, exist_ok=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
