"""The COHERE (V1) format: request parsing (wire-spec §2.4), results and events (§3.2, §4.4)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from locus.emulator._conversation import Call, Conversation, Reply, ToolDef, Turn
from locus.emulator._errors import bad_request
from locus.emulator._grounding import cite, parse_documents
from locus.emulator.wire._chat_result import chat_result, usage
from locus.emulator.wire._chunks import split_text
from locus.emulator.wire._fields import (
    as_list,
    as_mapping,
    check_numbers,
    optional_int,
    response_format,
)

__all__ = ["cohere_error_event", "cohere_events", "cohere_result", "parse_cohere"]

_ROLES = {"USER": "user", "CHATBOT": "assistant", "SYSTEM": "system"}
_WIRE_ROLES = {"user": "USER", "assistant": "CHATBOT", "system": "SYSTEM"}
_FINISH = {"stop": "COMPLETE", "tool_calls": "COMPLETE", "length": "MAX_TOKENS"}
_PY_TYPES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "list": "array",
    "dict": "object",
}


def parse_cohere(request: Mapping[str, Any], model: str) -> Conversation:
    """The conversation in a COHERE (V1) chat request."""
    check_numbers(request)
    message = request.get("message")
    if not isinstance(message, str):
        raise bad_request("chatRequest.message is required and must be a string")
    turns: list[Turn] = []
    if isinstance(request.get("preambleOverride"), str):
        turns.append(Turn("system", request["preambleOverride"]))
    for raw in as_list(request.get("chatHistory") or [], "chatRequest.chatHistory"):
        turns.extend(_history_turns(as_mapping(raw, "chatRequest.chatHistory[]")))
    if message:
        turns.append(Turn("user", message))
    turns.extend(_results(request.get("toolResults") or []))
    return Conversation(
        model=model,
        turns=tuple(turns),
        tools=tuple(_tool(t) for t in as_list(request.get("tools") or [], "chatRequest.tools")),
        max_tokens=optional_int(request, "maxTokens"),
        documents=parse_documents(request.get("documents"), "chatRequest.documents"),
        **response_format(request.get("responseFormat"), None),
    )


def cohere_result(
    reply: Reply, conversation: Conversation, model_id: str, version: str
) -> dict[str, Any]:
    """The ``ChatResult`` body of a non-streaming COHERE chat."""
    return chat_result(_final(reply, conversation, with_usage=True), model_id, version)


def cohere_events(
    reply: Reply, conversation: Conversation, include_usage: bool, chunk_chars: int
) -> Iterator[dict[str, Any]]:
    """COHERE stream events: text deltas, then the full text with history and finish."""
    for delta in split_text(reply.text, chunk_chars):
        yield {"apiFormat": "COHERE", "text": delta}
    yield _final(reply, conversation, with_usage=include_usage)


def cohere_error_event(message: str) -> dict[str, Any]:
    """The terminal event of a stream whose model failed (§4.7, inferred; no text repeated)."""
    return {"apiFormat": "COHERE", "text": "", "finishReason": "ERROR", "errorMessage": message}


def result_text(outputs: Any) -> str:
    """A tool's output as plain text: bare values of single-key objects, else compact JSON."""
    if isinstance(outputs, list):
        return ", ".join(result_text(item) for item in outputs)
    if isinstance(outputs, Mapping) and len(outputs) == 1:
        return result_text(next(iter(outputs.values())))
    if isinstance(outputs, str):
        return outputs
    return json.dumps(outputs, separators=(",", ":"))


def _history_turns(entry: Mapping[str, Any]) -> list[Turn]:
    role = entry.get("role")
    if role == "TOOL":
        return _results(entry.get("toolResults") or [])
    if role not in _ROLES:
        raise bad_request(f"chatRequest.chatHistory[].role {role!r} is not valid")
    calls = tuple(_call(raw) for raw in as_list(entry.get("toolCalls") or [], "toolCalls"))
    return [Turn(_ROLES[str(role)], str(entry.get("message") or ""), calls=calls)]


def _call(raw: Any) -> Call:
    call = as_mapping(raw, "toolCalls[]")
    parameters = as_mapping(call.get("parameters") or {}, "toolCalls[].parameters")
    return Call(str(call.get("name", "")), dict(parameters))


def _results(raw: Any) -> list[Turn]:
    turns = []
    for item in as_list(raw, "chatRequest.toolResults"):
        result = as_mapping(item, "chatRequest.toolResults[]")
        call = _call(result.get("call") or {})
        turns.append(Turn("tool", result_text(result.get("outputs")), tool_name=call.name))
    return turns


def _tool(raw: Any) -> ToolDef:
    tool = as_mapping(raw, "chatRequest.tools[]")
    definitions = as_mapping(tool.get("parameterDefinitions") or {}, "parameterDefinitions")
    properties: dict[str, Any] = {}
    required = []
    for name, spec in definitions.items():
        spec = as_mapping(spec, f"parameterDefinitions.{name}")
        properties[name] = {"type": _PY_TYPES.get(str(spec.get("type")).lower(), "string")}
        if spec.get("isRequired"):
            required.append(name)
    schema = {"type": "object", "properties": properties, "required": required}
    return ToolDef(str(tool.get("name", "")), str(tool.get("description", "")), schema)


def _final(reply: Reply, conversation: Conversation, with_usage: bool) -> dict[str, Any]:
    calls = [{"name": c.name, "parameters": c.arguments} for c in reply.calls]
    chatbot: dict[str, Any] = {"role": "CHATBOT", "message": reply.text}
    if calls:
        chatbot["toolCalls"] = calls
    final: dict[str, Any] = {
        "apiFormat": "COHERE",
        "text": reply.text,
        "chatHistory": [*(_history_entry(t) for t in conversation.turns), chatbot],
        "finishReason": _FINISH[reply.finish],
    }
    if calls:
        final["toolCalls"] = calls
    if conversation.documents:
        final.update(_citations(reply, conversation))
    if with_usage:
        final["usage"] = usage(reply)
    return final


def _citations(reply: Reply, conversation: Conversation) -> dict[str, Any]:
    """``citations`` of the reply's quotes and the ``documents`` they cite (with ids)."""
    cites = cite(reply.text, conversation.documents)
    wire = [
        {"start": c.start, "end": c.end, "text": c.text, "documentIds": list(c.doc_ids)}
        for c in cites
    ]
    cited = {doc_id for c in cites for doc_id in c.doc_ids}
    documents = [d.with_id() for d in conversation.documents if d.id in cited]
    return {"citations": wire, "documents": documents} if wire else {}


def _history_entry(turn: Turn) -> dict[str, Any]:
    if turn.role == "tool":
        call = {"name": turn.tool_name, "parameters": {}}
        return {"role": "TOOL", "toolResults": [{"call": call, "outputs": [{"result": turn.text}]}]}
    entry: dict[str, Any] = {"role": _WIRE_ROLES[turn.role], "message": turn.text}
    if turn.calls:
        entry["toolCalls"] = [{"name": c.name, "parameters": c.arguments} for c in turn.calls]
    return entry
