"""The forwarding engine: answer with a real model behind any OpenAI-compatible server.

The conversation is sent as a non-streaming ``/chat/completions`` request to
``backend`` (for example ``http://127.0.0.1:11434/v1`` for Ollama); the emulator then
speaks the OCI wire protocol, streaming included, on its behalf.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from locus.emulator._conversation import Call, Conversation, Reply, ToolDef, Turn
from locus.emulator._errors import ApiError

__all__ = ["ForwardingEngine"]

_FINISH = {"tool_calls": "tool_calls", "length": "length"}


class ForwardingEngine:
    """Translates each conversation to an OpenAI request and the answer back."""

    def __init__(
        self,
        backend: str,
        model: str | None = None,
        api_key: str | None = None,
        timeout: float = 300,
    ) -> None:
        self._url = backend.rstrip("/") + "/chat/completions"
        self._model = model
        headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(headers=headers, timeout=timeout)

    async def reply(self, conversation: Conversation) -> Reply:
        """The backend's answer; 502-style failures become an OCI 500 error."""
        try:
            response = await self._client.post(self._url, json=self._request(conversation))
        except httpx.HTTPError as exc:
            raise ApiError(500, "InternalServerError", f"backend unreachable: {exc}") from exc
        if response.status_code != 200:
            raise ApiError(500, "InternalServerError", f"backend answered {response.status_code}")
        return _reply(response.json())

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    def _request(self, conversation: Conversation) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._model or conversation.model,
            "messages": [_message(turn) for turn in conversation.turns],
        }
        if conversation.tools:
            body["tools"] = [_tool(tool) for tool in conversation.tools]
            body["tool_choice"] = _tool_choice(conversation.tool_choice)
        if conversation.max_tokens:
            body["max_tokens"] = conversation.max_tokens
        response_format = _response_format(conversation)
        if response_format is not None:
            body["response_format"] = response_format
        return body


def _tool(tool: ToolDef) -> dict[str, Any]:
    function = {"name": tool.name, "description": tool.description, "parameters": tool.parameters}
    return {"type": "function", "function": function}


def _response_format(conversation: Conversation) -> dict[str, Any] | None:
    if conversation.json_schema is not None:
        schema = {"name": "response", "schema": conversation.json_schema}
        return {"type": "json_schema", "json_schema": schema}
    if conversation.json_mode:
        return {"type": "json_object"}
    return None


def _message(turn: Turn) -> dict[str, Any]:
    if turn.role == "tool":
        return {
            "role": "tool",
            "tool_call_id": turn.call_id or turn.tool_name,
            "content": turn.text,
        }
    message: dict[str, Any] = {"role": turn.role, "content": turn.text}
    if turn.calls:
        message["tool_calls"] = [
            {
                "id": c.id or f"call_{i}",
                "type": "function",
                "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
            }
            for i, c in enumerate(turn.calls)
        ]
    return message


def _tool_choice(choice: str) -> Any:
    if choice in ("auto", "none", "required"):
        return choice
    return {"type": "function", "function": {"name": choice}}


def _reply(body: dict[str, Any]) -> Reply:
    choice = (body.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    calls = tuple(
        Call(
            c["function"]["name"],
            json.loads(c["function"].get("arguments") or "{}"),
            c.get("id", ""),
        )
        for c in message.get("tool_calls") or ()
    )
    usage = body.get("usage") or {}
    return Reply(
        text=message.get("content") or "",
        calls=calls,
        finish=_FINISH.get(str(choice.get("finish_reason")), "stop"),
        prompt_tokens=int(usage.get("prompt_tokens") or 1),
        completion_tokens=int(usage.get("completion_tokens") or 1),
        reasoning=str(message.get("reasoning_content") or message.get("reasoning") or ""),
    )
