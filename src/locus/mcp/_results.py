"""An MCP ``CallToolResult`` as the tool result a model reads.

Structured content (``structuredContent``) is the result when there is some: a dict the
agent shows as JSON. Otherwise the content blocks become one text: text as is, an
embedded text resource as its URI and text, and what a text model cannot read (images,
audio, binary resources) as a short line naming it, so that the model knows it was there.
An error result (``isError``) is raised as the tool error the model reads.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from locus.core.errors import ToolExecutionError

if TYPE_CHECKING:
    import mcp_types

__all__ = ["result_value"]


def result_value(result: mcp_types.CallToolResult, tool_name: str, server: str) -> Any:
    """The value of a tool result (a str, or the structured dict); raise on an error result."""
    text = "\n".join(_block_text(block) for block in result.content)
    if result.is_error:
        raise ToolExecutionError(
            f"MCP tool {tool_name!r} of {server} reported an error: {text or '(no details)'}",
            tool_name=tool_name,
        )
    if result.structured_content is not None:
        return result.structured_content
    return text


def _block_text(block: Any) -> str:
    kind = getattr(block, "type", "")
    if kind == "text":
        return str(block.text)
    if kind in ("image", "audio"):
        return f"[{kind} {block.mime_type}, {_decoded_size(block.data)} bytes]"
    if kind == "resource":
        return _resource_text(block.resource)
    if kind == "resource_link":
        mime = f" ({block.mime_type})" if block.mime_type else ""
        return f"[resource link {block.name}: {block.uri}{mime}]"
    return f"[{kind or 'unknown'} content]"


def _resource_text(resource: Any) -> str:
    mime = f" ({resource.mime_type})" if resource.mime_type else ""
    text = getattr(resource, "text", None)
    if isinstance(text, str):
        return f"[resource {resource.uri}{mime}]\n{text}"
    return f"[resource {resource.uri}{mime}, {_decoded_size(resource.blob)} bytes]"


def _decoded_size(data: str) -> int:
    try:
        return len(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError):
        return len(data)
