"""The ``ChatResult`` envelope and the usage block the three OCI chat formats share (§3.2)."""

from __future__ import annotations

from typing import Any

from locus.emulator._conversation import Reply

__all__ = ["chat_result", "usage"]


def chat_result(chat_response: dict[str, Any], model_id: str, version: str) -> dict[str, Any]:
    """A non-streaming answer: the model's id and version around its ``chatResponse``."""
    return {"modelId": model_id, "modelVersion": version, "chatResponse": chat_response}


def usage(reply: Reply) -> dict[str, Any]:
    """Token counts in OCI's camelCase names."""
    return {
        "completionTokens": reply.completion_tokens,
        "promptTokens": reply.prompt_tokens,
        "totalTokens": reply.total_tokens,
    }
