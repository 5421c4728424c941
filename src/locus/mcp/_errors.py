"""The errors of ``locus.mcp``: a server that cannot be reached, or that went away."""

from __future__ import annotations

import functools
from typing import Any

from locus.core.errors import ToolExecutionError

__all__ = ["MCPConnectionError"]


class MCPConnectionError(ToolExecutionError):
    """An MCP server could not be started or reached, or its connection broke.

    Raised to the caller when a run starts and the server's tools cannot be listed (the
    agent cannot go on without them); inside a tool call it becomes the tool error the
    model reads, and the next use of the server connects again.

    ``stderr`` is the end of a stdio server's stderr (when it wrote any), ``status_code``
    the HTTP error status an HTTP server answered (when it answered one).
    """

    def __init__(
        self,
        message: str,
        *,
        server: str,
        tool_name: str | None = None,
        stderr: str | None = None,
        status_code: int | None = None,
    ):
        self.server = server
        self.stderr = stderr
        self.status_code = status_code
        super().__init__(message, tool_name=tool_name)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled whole (multiprocessing, Temporal activities): the default rebuilds an
        exception from its ``args`` alone, and ``server`` is a required keyword."""
        return functools.partial(type(self), server=self.server), self.args, self.__dict__
