"""The JSON form of messages, format version 1.

``{"v": 1, "messages": [...]}``; each message is an object with ``role`` and only the
fields that differ from their defaults (``content``, ``tool_calls``, ``tool_call_id``,
``name``, ``reasoning``, ``images``, ``is_error``). A tool call is ``{"id", "name",
"arguments"}`` plus ``raw_arguments`` when set; an image ``{"url"}`` plus ``detail`` when
not ``"auto"``. Reading is strict: an unknown field or a wrong type is an error naming
where it is, so that data from a newer format is never half-read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal, cast, get_args

from locus.core.errors import SerializationError
from locus.core.messages import ImagePart, Message, Role, ToolCall

__all__ = ["FORMAT_VERSION", "decode_messages", "encode_messages"]

FORMAT_VERSION = 1
_ROLES = frozenset(get_args(Role))
_DETAILS = frozenset(("auto", "low", "high"))
_MESSAGE_FIELDS = frozenset(
    ("role", "content", "tool_calls", "tool_call_id", "name", "reasoning", "images", "is_error")
)
_CALL_FIELDS = frozenset(("id", "name", "arguments", "raw_arguments"))
_IMAGE_FIELDS = frozenset(("url", "detail"))
_OPTIONAL_TEXT = ("content", "tool_call_id", "name", "reasoning")


def encode_messages(messages: Iterable[Message]) -> bytes:
    """``{"v": 1, "messages": [...]}`` as compact UTF-8 JSON.

    Text holding a lone UTF-16 surrogate (a model's ``"\\ud83d"`` escape decodes to one)
    is not UTF-8: such a document is written ASCII-only, the surrogate as a ``\\uXXXX``
    escape, which reads back the same.
    """
    try:
        document = {
            "v": FORMAT_VERSION,
            "messages": [_message_to_json(m, i) for i, m in enumerate(messages)],
        }
        text = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(document, allow_nan=False, separators=(",", ":")).encode("ascii")
    except (TypeError, ValueError) as exc:
        raise SerializationError(f"messages cannot be written as JSON: {exc}") from None
    except RecursionError:
        raise SerializationError(
            "messages cannot be written as JSON: a value is nested too deeply to encode"
        ) from None


def _message_to_json(message: Message, index: int) -> dict[str, Any]:
    if not isinstance(message, Message):
        raise TypeError(f"messages[{index}] is a {type(message).__name__}, not a Message")
    out: dict[str, Any] = {"role": message.role}
    for name in _OPTIONAL_TEXT:
        value = getattr(message, name)
        if value is not None:
            out[name] = value
    if message.tool_calls:
        out["tool_calls"] = [_call_to_json(c) for c in message.tool_calls]
    if message.images:
        out["images"] = [_image_to_json(p) for p in message.images]
    if message.is_error:
        out["is_error"] = True
    return out


def _call_to_json(call: ToolCall) -> dict[str, Any]:
    out: dict[str, Any] = {"id": call.id, "name": call.name, "arguments": call.arguments}
    if call.raw_arguments is not None:
        out["raw_arguments"] = call.raw_arguments
    return out


def _image_to_json(part: ImagePart) -> dict[str, Any]:
    if part.detail == "auto":
        return {"url": part.url}
    return {"url": part.url, "detail": part.detail}


def decode_messages(data: bytes | bytearray | memoryview | str) -> list[Message]:
    """The messages ``encode_messages`` wrote; ``SerializationError`` says what is wrong."""
    document = _parse(data)
    if not isinstance(document, dict):
        raise SerializationError(
            f'stored messages must be a JSON object {{"v": 1, "messages": [...]}}, '
            f"got {_kind(document)}"
        )
    version = document.get("v")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise SerializationError(
            f"unknown message format version {version!r} (this Locus reads v={FORMAT_VERSION}); "
            "data written by a newer Locus needs that version to read it"
        )
    extra = set(document) - {"v", "messages"}
    if extra:
        raise SerializationError(f"unknown top-level field(s) {sorted(extra)} in stored messages")
    items = document.get("messages")
    if not isinstance(items, list):
        raise SerializationError(f'"messages" must be a JSON array, got {_kind(items)}')
    return [_message_from_json(item, f"messages[{i}]") for i, item in enumerate(items)]


def _parse(data: bytes | bytearray | memoryview | str) -> Any:
    if isinstance(data, memoryview | bytearray):
        data = bytes(data)
    if not isinstance(data, bytes | str):
        raise SerializationError(f"stored messages must be bytes or str, got {_kind(data)}")
    try:
        return json.loads(data)
    except UnicodeDecodeError as exc:
        raise SerializationError(f"stored messages are not UTF-8: {exc}") from None
    except ValueError as exc:
        raise SerializationError(f"stored messages are not valid JSON: {exc}") from None
    except RecursionError:
        raise SerializationError("stored messages are nested too deeply to read") from None


def _message_from_json(item: Any, where: str) -> Message:
    fields = _object(item, where, _MESSAGE_FIELDS)
    role = _one_of(fields.get("role"), _ROLES, f"{where}.role")
    is_error = fields.get("is_error", False)
    if not isinstance(is_error, bool):
        raise SerializationError(f"{where}.is_error must be true or false, got {_kind(is_error)}")
    calls = _array(fields, "tool_calls", where)
    images = _array(fields, "images", where)
    return Message(
        role=cast(Role, role),
        content=_text(fields, "content", where),
        tool_calls=[_call_from_json(c, f"{where}.tool_calls[{i}]") for i, c in enumerate(calls)],
        tool_call_id=_text(fields, "tool_call_id", where),
        name=_text(fields, "name", where),
        reasoning=_text(fields, "reasoning", where),
        images=tuple(_image_from_json(p, f"{where}.images[{i}]") for i, p in enumerate(images)),
        is_error=is_error,
    )


def _call_from_json(item: Any, where: str) -> ToolCall:
    fields = _object(item, where, _CALL_FIELDS)
    call_id, name = _required_text(fields, "id", where), _required_text(fields, "name", where)
    arguments = fields.get("arguments", {})
    if not isinstance(arguments, dict):
        raise SerializationError(f"{where}.arguments must be a JSON object, got {_kind(arguments)}")
    raw = _text(fields, "raw_arguments", where)
    return ToolCall(id=call_id, name=name, arguments=arguments, raw_arguments=raw)


def _image_from_json(item: Any, where: str) -> ImagePart:
    fields = _object(item, where, _IMAGE_FIELDS)
    url = _required_text(fields, "url", where)
    detail = _one_of(fields.get("detail", "auto"), _DETAILS, f"{where}.detail")
    return ImagePart(url=url, detail=cast(Literal["auto", "low", "high"], detail))


def _one_of(value: Any, allowed: frozenset[str], where: str) -> str:
    """``value`` when it is one of the ``allowed`` strings (an array or object, which is
    unhashable, is refused like any other wrong value)."""
    if isinstance(value, str) and value in allowed:
        return value
    shown = repr(value) if isinstance(value, str) else _kind(value)
    raise SerializationError(f"{where} must be one of {sorted(allowed)}, got {shown}")


def _object(item: Any, where: str, known: frozenset[str]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise SerializationError(f"{where} must be a JSON object, got {_kind(item)}")
    extra = set(item) - known
    if extra:
        raise SerializationError(f"{where} has unknown field(s) {sorted(extra)}")
    return item


def _array(fields: dict[str, Any], name: str, where: str) -> list[Any]:
    value = fields.get(name, [])
    if not isinstance(value, list):
        raise SerializationError(f"{where}.{name} must be a JSON array, got {_kind(value)}")
    return value


def _text(fields: dict[str, Any], name: str, where: str) -> str | None:
    value = fields.get(name)
    if value is not None and not isinstance(value, str):
        raise SerializationError(f"{where}.{name} must be a string or null, got {_kind(value)}")
    return value


def _required_text(fields: dict[str, Any], name: str, where: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str):
        raise SerializationError(f"{where}.{name} must be a string, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"the number {value!r}"
    return names.get(type(value), type(value).__name__)
