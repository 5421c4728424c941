"""Tool-call styles of hosted models: structured calls, or calls written into the text.

``native`` and ``cohere`` keep calls structured; ``hermes`` (Qwen/Hermes ``<tool_call>``
JSON), ``qwen3_coder`` (Qwen3-Coder XML), ``llama_json`` (Llama 3 JSON as the whole
content) and ``glm`` (GLM-4.5's name and ``<arg_key>``/``<arg_value>`` pairs) turn them
into text, as a DAC without a tool parser would. Formats as documented by Qwen,
NousResearch Hermes and Meta's Llama 3 model cards, and GLM-4.5's chat template.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from locus.emulator._conversation import Call, Reply

__all__ = ["apply_style", "render_calls"]


def apply_style(reply: Reply, style: str) -> Reply:
    """``reply`` as an endpoint with ``style`` would send it."""
    render = _TEXT_STYLES.get(style)
    if render is None or not reply.calls:
        return reply
    text = render_calls(reply.calls, style)
    if reply.text:
        text = f"{reply.text}\n\n{text}"
    return replace(reply, text=text, calls=(), finish="stop")


def render_calls(calls: tuple[Call, ...], style: str) -> str:
    """The text a model in ``style`` writes for ``calls``."""
    return _TEXT_STYLES[style](calls)


def _hermes(calls: tuple[Call, ...]) -> str:
    blocks = []
    for call in calls:
        payload = json.dumps({"name": call.name, "arguments": call.arguments})
        blocks.append(f"<tool_call>\n{payload}\n</tool_call>")
    return "\n".join(blocks)


def _qwen3_coder(calls: tuple[Call, ...]) -> str:
    blocks = []
    for call in calls:
        params = "".join(
            f"<parameter={name}>\n{_xml_value(value)}\n</parameter>\n"
            for name, value in call.arguments.items()
        )
        blocks.append(f"<tool_call>\n<function={call.name}>\n{params}</function>\n</tool_call>")
    return "\n".join(blocks)


def _xml_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _glm(calls: tuple[Call, ...]) -> str:
    blocks = []
    for call in calls:
        pairs = "".join(
            f"<arg_key>{name}</arg_key>\n<arg_value>{_xml_value(value)}</arg_value>\n"
            for name, value in call.arguments.items()
        )
        blocks.append(f"<tool_call>{call.name}\n{pairs}</tool_call>")
    return "\n".join(blocks)


def _llama_json(calls: tuple[Call, ...]) -> str:
    return "; ".join(json.dumps({"name": c.name, "parameters": c.arguments}) for c in calls)


_TEXT_STYLES: dict[str, Callable[[tuple[Call, ...]], str]] = {
    "hermes": _hermes,
    "qwen3_coder": _qwen3_coder,
    "llama_json": _llama_json,
    "glm": _glm,
}
