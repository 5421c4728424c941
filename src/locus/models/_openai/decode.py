"""Decoding of an OpenAI chat-completions answer into a ``ModelResponse``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from locus.core._json_values import NESTED_TOO_DEEPLY, nests_deeper_than
from locus.core.errors import ResponseError
from locus.core.messages import ToolCall
from locus.core.response import ModelResponse
from locus.core.usage import Usage
from locus.models._wire.arguments import tool_call
from locus.models._wire.response import build_response, usage_from_counts
from locus.models._wire.shape import ShapeError, maps_in, opt_int, opt_list, opt_map, opt_str

__all__ = ["decode_openai_chat", "decode_openai_usage", "error_text", "openai_text"]


def decode_openai_chat(body: Mapping[str, Any], *, request_id: str | None = None) -> ModelResponse:
    """The first choice of a ``chat.completion`` body; ``ResponseError`` on a bad shape."""
    if not isinstance(body, Mapping):
        raise ResponseError(f"chat completion should be a JSON object, got {type(body).__name__}")
    try:
        return _decode(body, request_id)
    except ShapeError as exc:
        raise ResponseError(f"malformed chat completion: {exc}") from exc


def _decode(body: Mapping[str, Any], request_id: str | None) -> ModelResponse:
    problem = error_text(body)
    if problem is not None:
        raise ResponseError(f"the server answered with an error: {problem}")
    choices = maps_in(opt_list(body, "choices", "completion"), "completion.choices")
    if not choices:
        raise ResponseError("chat completion has no choices")
    choice = choices[0]
    message = opt_map(choice, "message", "choices[0]") or {}
    calls = _tool_calls(message)
    return build_response(
        text=openai_text(message.get("content"), "message.content"),
        reasoning=_reasoning(message),
        tool_calls=calls,
        raw_stop=opt_str(choice, "finish_reason", "choices[0]"),
        usage=decode_openai_usage(opt_map(body, "usage", "completion")),
        model_id=opt_str(body, "model", "completion"),
        request_id=request_id,
    )


def error_text(body: Mapping[str, Any]) -> str | None:
    """The message of an ``{"error": ...}`` body, or ``None`` when there is none."""
    error = body.get("error")
    if error is None:
        return None
    if isinstance(error, Mapping):
        error = error.get("message") or error
    if nests_deeper_than(error):  # (``str`` would reach the recursion limit)
        return f"an error object that is {NESTED_TOO_DEEPLY}"
    return str(error)


def openai_text(content: object, where: str) -> str | None:
    """Text of a ``content`` that is a string, ``null`` or a list of text parts."""
    if content is None or isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise ShapeError(f"{where} should be a string or an array, got {type(content).__name__}")
    parts = maps_in(content, where)
    texts = [opt_str(p, "text", where) or "" for p in parts if p.get("type") in ("text", None)]
    return "".join(texts)


def _reasoning(message: Mapping[str, Any]) -> str | None:
    # vLLM and DeepSeek say "reasoning_content"; Ollama, OpenRouter and newer vLLM "reasoning".
    return opt_str(message, "reasoning_content", "message") or opt_str(
        message, "reasoning", "message"
    )


def _tool_calls(message: Mapping[str, Any]) -> list[ToolCall]:
    where = "message.tool_calls"
    calls: list[ToolCall] = []
    for n, call in enumerate(maps_in(opt_list(message, "tool_calls", "message"), where)):
        function = opt_map(call, "function", where) or {}
        call_id = opt_str(call, "id", where) or f"call_{n}"
        name = opt_str(function, "name", where) or ""
        calls.append(tool_call(call_id, name, function.get("arguments")))
    return calls


def decode_openai_usage(usage: Mapping[str, Any] | None) -> Usage | None:
    """OpenAI ``usage`` (snake_case) as a core ``Usage``; ``None`` when absent."""
    if usage is None:
        return None
    completion = opt_map(usage, "completion_tokens_details", "usage") or {}
    prompt = opt_map(usage, "prompt_tokens_details", "usage") or {}
    return usage_from_counts(
        opt_int(usage, "prompt_tokens", "usage"),
        opt_int(usage, "completion_tokens", "usage"),
        opt_int(usage, "total_tokens", "usage"),
        opt_int(completion, "reasoning_tokens", "usage.completion_tokens_details"),
        opt_int(prompt, "cached_tokens", "usage.prompt_tokens_details"),
    )
