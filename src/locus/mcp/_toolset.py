"""``MCPToolset``: the tools of one MCP server, offered to an agent as a toolset.

The server's tools are listed on first use and kept until the server says they changed
(``notifications/tools/list_changed``, or the listen stream of 2026-era servers). One
connection is opened on first use and shared by every run of every agent holding the
toolset; ``aclose()`` (called by ``agent.aclose()`` / ``async with agent:``) leaves it.
A connection that broke is opened again on the next use: a call in flight when it broke
becomes a tool error the model reads, and never waits for an answer that cannot come.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from locus.core.errors import ConfigurationError, ToolExecutionError, ToolTimeoutError
from locus.mcp._diagnosis import Diagnosis, connect_error, with_status
from locus.mcp._errors import MCPConnectionError
from locus.mcp._lines import TOO_LARGE, too_large
from locus.mcp._listing import list_page
from locus.mcp._options import approval_rule, tool_names
from locus.mcp._results import result_value
from locus.mcp._session import Session, SessionLost, describe, unwrap

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    import mcp_types
    from mcp import Client
    from mcp.client.session import IncomingMessage

    from locus.tools import Tool

__all__ = ["DEFAULT_CONNECT_TIMEOUT", "DEFAULT_TIMEOUT", "MCPApprovalRule", "MCPToolset"]

DEFAULT_TIMEOUT = 60.0
"""Seconds a listing or one tool call may take, unless told otherwise."""
DEFAULT_CONNECT_TIMEOUT = 30.0
"""Seconds connecting (starting a subprocess, the handshake) may take."""

MCPApprovalRule = bool | str | Iterable[str] | Callable[..., bool | Awaitable[bool]]
"""``requires_approval`` of an MCP server's tools: ``True`` (every tool), ``False`` (none,
the default), ``"destructive"`` (the tools whose MCP annotations do not say they are
read-only or non-destructive: the spec's defaults count a tool without annotations as
destructive), a collection of MCP tool names, or ``fn(call, ctx) -> bool`` asked for each
call (sync or async; ``call.name`` is the name the model sees)."""

_MAX_PAGES = 100
_RELISTS = 3
_SHOWN_NAMES = 30
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]")


class MCPToolset:
    """Base of ``MCPServerStdio``, ``MCPServerHTTP`` and ``MCPServerSSE``.

    ``include`` / ``exclude`` choose tools by their MCP name; ``prefix`` is put before
    every name the model sees (``prefix="crm_"`` turns ``lookup`` into ``crm_lookup``);
    ``timeout`` bounds listing and each call, ``connect_timeout`` connecting, in seconds.
    ``requires_approval`` marks the server's tools for approval (see ``MCPApprovalRule``).
    """

    def __init__(
        self,
        *,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] = (),
        prefix: str = "",
        timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
        requires_approval: MCPApprovalRule = False,
    ) -> None:
        self.include = tool_names(include, "include") if include is not None else None
        self.requires_approval = approval_rule(requires_approval)
        self.exclude = tool_names(exclude, "exclude")
        if prefix and _NAME_CHARS.search(prefix):
            raise ConfigurationError(
                f"prefix {prefix!r} may hold only letters, digits, '_' and '-' (OCI tool names)"
            )
        self.prefix = prefix
        for what, value in (("timeout", timeout), ("connect_timeout", connect_timeout)):
            if value is not None and not value > 0:
                raise ConfigurationError(f"{what} must be positive seconds, not {value}")
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._tools: list[Tool[..., Any]] | None = None
        self._changes = 0  # counts the changes the server announced (and reconnections)
        self._sessions: dict[asyncio.AbstractEventLoop, Session] = {}  # one per event loop
        self._epoch = 0  # counts aclose() calls: a connection opened across one is left
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    # -- what a transport provides ---------------------------------------------------------

    @property
    def label(self) -> str:
        """How errors name this server (never with its headers or secrets)."""
        raise NotImplementedError

    _stdio = False  # whether the server is a subprocess (its stderr is kept)

    def _transport(self, diagnosis: Diagnosis) -> Any:
        """What ``mcp.Client`` connects to, recording what it sees in ``diagnosis``."""
        raise NotImplementedError

    def _client(self, diagnosis: Diagnosis) -> AbstractAsyncContextManager[Client]:
        from mcp import Client
        from mcp_types import Implementation

        from locus import __version__

        info = Implementation(name="locus", version=__version__)
        transport = self._transport(diagnosis)
        return Client(transport, message_handler=self._on_message, client_info=info)

    # -- the toolset protocol --------------------------------------------------------------

    async def list_tools(self) -> Sequence[Tool[..., Any]]:
        """The server's tools (filtered, prefixed, schemas simplified for OCI), cached."""
        tools = self._tools
        if tools is None:
            listed, stable = await self._listed(self._wanted, check_names=True)
            from locus.mcp._tools import to_locus_tools

            tools = to_locus_tools(self, listed)
            if stable:  # (else listed again next time)
                self._tools = tools
        return list(tools)

    async def list_mcp_tools(self) -> list[mcp_types.Tool]:
        """The server's tools as it describes them (every page, unfiltered)."""
        return (await self._listed(lambda name: True))[0]

    async def _listed(
        self, wanted: Callable[[str], bool], *, check_names: bool = False
    ) -> tuple[list[mcp_types.Tool], bool]:
        """The wanted tools, and whether no change was announced while they were listed:
        pages listed across a change may mix the old tools and the new, so the listing
        starts again (a few times at most)."""
        session = await self._connected()
        for _ in range(_RELISTS):
            changes = self._changes
            tools = await self._pages(session, wanted, check_names)
            if self._changes == changes:
                return tools, True
        return tools, False

    async def _pages(
        self, session: Session, wanted: Callable[[str], bool], check_names: bool
    ) -> list[mcp_types.Tool]:
        """Every page; a wanted tool the server describes wrongly is an error."""
        tools: list[mcp_types.Tool] = []
        invalid: dict[str, str] = {}
        names: set[str] = set()
        cursor: str | None = None
        for _ in range(_MAX_PAGES):
            page = await self._request(session, "list tools", None, list_page(cursor, wanted))
            tools.extend(page.tools)
            invalid.update(page.invalid)
            names |= page.names
            cursor = page.next_cursor
            if cursor is None:
                break
        if check_names:
            self._check_names(names)
        if invalid:
            problems = "; ".join(f"{name!r}: {why}" for name, why in invalid.items())
            raise ConfigurationError(
                f"{self.label} described tools that are not valid MCP ({problems}); "
                f"leave them out with exclude={sorted(invalid)!r}, or fix the server"
            )
        return tools

    async def call_tool(self, name: str, arguments: Mapping[str, Any] | None = None) -> Any:
        """Call the MCP tool ``name``; its result as a str or the structured dict."""
        session = await self._connected(tool_name=name)
        result = await self._request(session, f"call tool {name!r}", name, _caller(name, arguments))
        return result_value(result, name, self.label)

    async def aclose(self) -> None:
        """Leave the connections, if any is open (the toolset may be used again later)."""
        self._epoch += 1
        sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            await session.close()

    @property
    def _session(self) -> Session | None:
        """The connection of the running event loop (outside one: the only one, if any)."""
        try:
            return self._sessions.get(asyncio.get_running_loop())
        except RuntimeError:
            return next(iter(self._sessions.values()), None) if len(self._sessions) == 1 else None

    def close_sync(self) -> None:
        """``aclose()`` for code without an event loop (after ``agent.run_sync``)."""
        from locus._sync import run_sync

        run_sync(self.aclose, name="close_sync", instead="await server.aclose()")

    async def __aenter__(self) -> MCPToolset:
        await self._connected()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- connection ------------------------------------------------------------------------

    async def _connected(self, tool_name: str | None = None) -> Session:
        """The running loop's connection, opened if needed. Each event loop has its own (a
        connection is bound to the loop it was opened on): two threads with loops of their
        own never restart each other's."""
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is not None and session.alive:
            return session
        for other in [other for other in self._locks if other.is_closed()]:
            del self._locks[other]  # the connections of ended loops ended with them
            self._sessions.pop(other, None)
        async with self._locks.setdefault(loop, asyncio.Lock()):
            session = self._sessions.get(loop)
            if session is not None and session.alive:
                return session
            if session is not None:
                del self._sessions[loop]
                await session.close()
                self._changed()  # changes may have been missed while disconnected
            epoch = self._epoch
            session = await self._open(tool_name)
            if epoch != self._epoch:  # aclose() ran meanwhile: it meant this one too
                await session.close()
                raise MCPConnectionError(
                    f"{self.label} was closed (aclose) while connecting",
                    server=self.label,
                    tool_name=tool_name,
                )
            self._sessions[loop] = session
            return session

    async def _open(self, tool_name: str | None) -> Session:
        diagnosis = Diagnosis(self.label, stdio=self._stdio)
        session = Session(lambda: self._client(diagnosis), self._watch, diagnosis)
        try:
            async with asyncio.timeout(self.connect_timeout):
                await session.open()
        except Exception as exc:
            await session.close()
            error = connect_error(
                self.label, unwrap(exc), diagnosis, self.connect_timeout, tool_name
            )
            raise error from exc
        return session

    async def _request(self, session: Session, what: str, tool_name: str | None, make: Any) -> Any:
        from pydantic import ValidationError

        try:
            # asyncio.timeout, not wait_for: Python 3.11's wait_for could turn a cancel of
            # the caller (a run cancelled during the call) into TimeoutError, and the run
            # went on with a tool error instead of stopping
            async with asyncio.timeout(self.timeout):
                return await session.request(make)
        except TimeoutError as exc:
            text = f"{self.label} did not answer '{what}' within {self.timeout} s"
            limit = session.diagnosis.oversized if session.diagnosis is not None else None
            if limit is None:
                text = f"{text}; give a longer timeout= if it needs more"
            else:  # a message over the limit that no answer could stand for: start again
                session.lost.set()
                text = (
                    f"{text}: it sent a message of more than max_message_bytes={limit} "
                    "bytes, which was dropped; the next call starts the server again"
                )
            raise ToolTimeoutError(text, tool_name=tool_name) from exc
        except (SessionLost, OSError) as exc:
            raise await self._lost(session, what, tool_name, exc) from exc
        except (ValidationError, RuntimeError) as exc:  # answered wrongly; the connection is fine
            text = str(exc).split("\n    For further", 1)[0]
            raise ToolExecutionError(
                f"{self.label} answered '{what}' with what is not a valid MCP result: {text}",
                tool_name=tool_name,
            ) from exc
        except Exception as exc:
            raise await self._failed(session, what, tool_name, unwrap(exc)) from exc

    async def _failed(
        self, session: Session, what: str, tool_name: str | None, exc: BaseException
    ) -> ToolExecutionError:
        from mcp import MCPError
        from mcp_types import CONNECTION_CLOSED

        diagnosis = session.diagnosis
        if isinstance(exc, MCPError) and exc.code == TOO_LARGE and diagnosis is not None:
            limit, diagnosis.oversized = diagnosis.oversized, None
            if limit is not None:  # ours, not the server's (see locus.mcp._lines)
                data = exc.error.data if isinstance(exc.error.data, dict) else {}
                size = data.get("size", f"more than {limit}")
                text = too_large(self.label, what, size, limit)
                return ToolExecutionError(text, tool_name=tool_name)
        if isinstance(exc, MCPError) and exc.code != CONNECTION_CLOSED:
            status = diagnosis.take_status() if diagnosis is not None else None
            why = with_status(status, exc) if status is not None else describe(exc)
            text = f"{self.label} refused to {what}: {why}"
            return ToolExecutionError(text, tool_name=tool_name)
        return await self._lost(session, what, tool_name, exc)

    async def _lost(
        self, session: Session, what: str, tool_name: str | None, exc: BaseException
    ) -> MCPConnectionError:
        session.lost.set()  # the next use connects again (this session only, not a newer one)
        diagnosis = session.diagnosis
        stderr = None
        if diagnosis is not None and diagnosis.stdio:
            await diagnosis.wait_for_eof()
            stderr = diagnosis.stderr
        return MCPConnectionError(
            f"the connection to {self.label} broke during '{what}' ({describe(exc)}); "
            "the next call connects again",
            server=self.label,
            tool_name=tool_name,
            stderr=stderr,
        )

    # -- tools changed ---------------------------------------------------------------------

    async def _on_message(self, message: IncomingMessage) -> None:
        from mcp_types import ToolListChangedNotification

        if isinstance(message, ToolListChangedNotification):
            self._changed()

    async def _watch(self, client: Client) -> None:
        """On 2026-era connections, list changes come over a ``subscriptions/listen`` stream
        (earlier ones send notifications, seen by ``_on_message``)."""
        from mcp_types.version import MODERN_PROTOCOL_VERSIONS

        tools = client.server_capabilities.tools
        if client.protocol_version not in MODERN_PROTOCOL_VERSIONS or not (
            tools and tools.list_changed
        ):
            return
        try:
            async with client.listen(tools_list_changed=True) as events:
                async for _ in events:
                    self._changed()
        except Exception:  # no stream: the listing stays until the next connection
            self._changed()

    def _changed(self) -> None:
        self._tools = None
        self._changes += 1

    def _check_names(self, listed: set[str]) -> None:
        """Names in ``include=``, ``exclude=`` or ``requires_approval=`` that the server does
        not list are an error: a typo would offer, hide, or run unapproved the wrong tool."""
        rule = self.requires_approval
        options = {
            "include": self.include or frozenset(),
            "exclude": self.exclude,
            "requires_approval": rule if isinstance(rule, frozenset) else frozenset(),
        }
        for option, names in options.items():
            unknown = sorted(names - listed)
            if unknown:
                shown = ", ".join(map(repr, sorted(listed)[:_SHOWN_NAMES]))
                more = (
                    f" and {len(listed) - _SHOWN_NAMES} more" if len(listed) > _SHOWN_NAMES else ""
                )
                raise ConfigurationError(
                    f"{option}= names tools {self.label} does not list: "
                    f"{', '.join(map(repr, unknown))} (it lists {shown or 'none'}{more})"
                )

    def _wanted(self, name: str) -> bool:
        if self.include is not None and name not in self.include:
            return False
        return name not in self.exclude


def _caller(name: str, arguments: Mapping[str, Any] | None) -> Any:
    async def make(client: Client) -> mcp_types.CallToolResult:
        return await client.call_tool(name, dict(arguments or {}))

    return make
