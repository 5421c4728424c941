"""JSON from a server, decoded in one place (whole answers and stream events).

Two rules hold for every answer, whole or streamed (docs/reliability.md "Bytes and
JSON from the server"): bytes are UTF-8, and a byte that is not valid UTF-8 becomes
U+FFFD (as the event-stream standard decodes, and as error bodies always were), never
a refusal; and JSON that cannot be decoded — not JSON, or nested deeper than
``MAX_DECODED_NESTING`` (or than the parser's own limit, which differs between Python
versions) — is a ``ServerJSONError`` saying which, never a raw ``RecursionError``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from locus.core._json_values import decoded_too_deep
from locus.core.errors import ResponseError

__all__ = ["ServerJSONError", "decode_utf8", "json_object", "loads_server_json"]

TOO_DEEP = "is JSON nested too deeply to decode (about 1,000 levels or more)"
NOT_JSON = "is not JSON"


class ServerJSONError(ValueError):
    """Server text that could not be decoded as JSON; ``reason`` completes "the answer ..."."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def too_deep(self) -> bool:
        """Whether the JSON was refused for its nesting (not for its syntax)."""
        return self.reason == TOO_DEEP


def decode_utf8(data: bytes) -> str:
    """Server bytes as text: UTF-8 (a leading BOM dropped), bad bytes as U+FFFD."""
    return data.decode("utf-8-sig", errors="replace")


def loads_server_json(data: bytes | str) -> Any:
    """The JSON value of server bytes or text; ``ServerJSONError`` when there is none."""
    text = decode_utf8(data) if isinstance(data, bytes | bytearray) else data
    try:
        value = json.loads(text)
    except RecursionError:
        raise ServerJSONError(TOO_DEEP) from None
    except ValueError:
        raise ServerJSONError(NOT_JSON) from None
    if decoded_too_deep(text, value):
        raise ServerJSONError(TOO_DEEP)
    return value


def json_object(content: bytes, endpoint: str) -> Mapping[str, Any]:
    """A whole answer's JSON object, or a ``ResponseError`` that says what is wrong with it.

    The error shows the start of a page that is not JSON (a proxy's error page, say), but
    not the bytes of broken JSON: they may hold what was sent or answered (user data).
    """
    try:
        body = loads_server_json(content)
    except ServerJSONError as exc:
        raise ResponseError(
            f"the answer from {endpoint} {exc.reason}: {_excerpt(content)}", endpoint=endpoint
        ) from None
    if not isinstance(body, dict):
        raise ResponseError(f"the answer from {endpoint} is not a JSON object", endpoint=endpoint)
    return body


def _excerpt(content: bytes) -> str:
    if content.lstrip()[:1] in (b"{", b"["):
        return f"{len(content)} bytes of JSON, not shown (they may hold the texts sent)"
    return repr(content[:200])
