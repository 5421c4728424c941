"""The errors of ``locus.mcp``: a server that cannot be reached, or that went away."""

from __future__ import annotations

from locus.core.errors import ToolExecutionError

__all__ = ["MCPConnectionError"]


class MCPConnectionError(ToolExecutionError):
    """An MCP server could not be started or reached, or its connection broke.

    Raised to the caller when a run starts and the server's tools cannot be listed (the
    agent cannot go on without them); inside a tool call it becomes the tool error the
    model reads, and the next use of the server connects again.
    """

    def __init__(self, message: str, *, server: str, tool_name: str | None = None):
        self.server = server
        super().__init__(message, tool_name=tool_name)
