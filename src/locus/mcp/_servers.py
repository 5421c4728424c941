"""The three ways to reach an MCP server: a subprocess over stdio, streamable HTTP, SSE."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from locus.core.errors import ConfigurationError
from locus.mcp._diagnosis import Diagnosis, stdio_transport, streamable_http_transport
from locus.mcp._lines import DEFAULT_MAX_MESSAGE_BYTES
from locus.mcp._toolset import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_TIMEOUT,
    MCPApprovalRule,
    MCPToolset,
)

__all__ = ["MCPServerHTTP", "MCPServerSSE", "MCPServerStdio"]


class MCPServerStdio(MCPToolset):
    """An MCP server run as a subprocess, spoken to over its stdin and stdout.

    ``env`` is added to a minimal default environment (``PATH``, ``HOME``...), not to
    this process's whole environment, so secrets are passed on only when named.
    ``max_message_bytes`` bounds one message (a line of JSON) from the server: a longer
    answer is dropped and its call fails with an error saying so (``locus.mcp._lines``).
    """

    def __init__(
        self,
        command: str,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        *,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] = (),
        prefix: str = "",
        timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
        requires_approval: MCPApprovalRule = False,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        if not command:
            raise ConfigurationError("MCPServerStdio needs a command to run, e.g. 'uvx'")
        if isinstance(args, str):
            raise ConfigurationError(f"args= takes a list of arguments, not one string {args!r}")
        super().__init__(
            include=include,
            exclude=exclude,
            prefix=prefix,
            timeout=timeout,
            connect_timeout=connect_timeout,
            requires_approval=requires_approval,
        )
        if isinstance(max_message_bytes, bool) or not (
            isinstance(max_message_bytes, int) and max_message_bytes > 0
        ):
            raise ConfigurationError(
                f"max_message_bytes must be a positive number of bytes, not {max_message_bytes!r}"
            )
        self.max_message_bytes = max_message_bytes
        self.command = command
        self.args = tuple(args)
        self.env = dict(env) if env is not None else None
        self.cwd = Path(cwd) if cwd is not None else None

    @property
    def label(self) -> str:
        # the arguments may carry credentials (a token, a connect string): never shown
        return f"MCP server {self.command!r} ({_count(len(self.args))})"

    def __repr__(self) -> str:
        return f"MCPServerStdio(command={self.command!r}, {_count(len(self.args))})"

    _stdio = True

    def _transport(self, diagnosis: Diagnosis) -> Any:
        from mcp import StdioServerParameters

        from locus.mcp._lines import encoding

        params = StdioServerParameters(
            command=self.command,
            args=list(self.args),
            env=self.env,
            cwd=self.cwd,
            encoding=encoding(self.max_message_bytes),
        )
        return stdio_transport(params, diagnosis)


class _HTTPServer(MCPToolset):
    def __init__(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] = (),
        prefix: str = "",
        timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
        requires_approval: MCPApprovalRule = False,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"{type(self).__name__} needs an http(s) URL, not {url!r}")
        super().__init__(
            include=include,
            exclude=exclude,
            prefix=prefix,
            timeout=timeout,
            connect_timeout=connect_timeout,
            requires_approval=requires_approval,
        )
        self.url = url
        self._headers = dict(headers or {})  # may hold credentials: never shown

    @property
    def label(self) -> str:
        return f"MCP server {_public_url(self.url)}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={_public_url(self.url)!r})"


class MCPServerHTTP(_HTTPServer):
    """An MCP server over streamable HTTP (its endpoint URL, usually ending in ``/mcp``).

    ``headers`` go with every request (an ``Authorization`` header, say); they never
    appear in reprs, errors or logs.
    """

    def _transport(self, diagnosis: Diagnosis) -> Any:
        return streamable_http_transport(self.url, self._headers, diagnosis)


class MCPServerSSE(_HTTPServer):
    """An MCP server over the older HTTP+SSE transport (its ``/sse`` URL)."""

    def _transport(self, diagnosis: Diagnosis) -> Any:
        from mcp.client.sse import sse_client

        return sse_client(self.url, headers=self._headers or None)


def _public_url(url: str) -> str:
    """``url`` without user information or query (either may carry a secret)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _count(n: int) -> str:
    return f"{n} argument" + ("" if n == 1 else "s")
