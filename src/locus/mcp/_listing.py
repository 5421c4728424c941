"""One page of a server's ``tools/list``, with the tools it describes wrongly named.

The ``mcp`` SDK validates a listing as a whole: one tool without an ``inputSchema`` (or
whose schema is not an object's) fails the listing with a pydantic error that names an
index, not a tool, and leaves every other tool of the server unusable. Then the page is
asked for again as raw JSON (through the SDK's dispatcher, which has no public way to do
it: if that changes, the SDK's error is raised as before) and each tool is checked on its
own, so the error names the bad tools and ``exclude=`` can leave them out. A schema that is
no valid JSON Schema (``properties`` a list, ``required`` a string) is named the same way:
OCI would refuse every request that offers it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import mcp_types
    from mcp import Client
    from pydantic import ValidationError

__all__ = ["Page", "list_page", "schema_problem"]


@dataclass
class Page:
    """The wanted tools of one page, the wanted ones that are invalid (name: why), the cursor,
    and the names of every tool listed (wanted or not)."""

    tools: list[mcp_types.Tool]
    next_cursor: str | None
    invalid: dict[str, str] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)


def list_page(
    cursor: str | None, wanted: Callable[[str], bool]
) -> Callable[[Client], Awaitable[Page]]:
    """What lists the page at ``cursor`` on a connected client."""

    async def make(client: Client) -> Page:
        from pydantic import ValidationError

        try:
            result = await client.list_tools(cursor=cursor, cache_mode="refresh")
        except ValidationError as exc:
            raw = await _raw_page(client, cursor)
            if raw is None:
                raise
            page = _checked(raw, wanted, exc)
            _absorb(client, page)
            return page
        page = Page([tool for tool in result.tools if wanted(tool.name)], result.next_cursor)
        page.names = {tool.name for tool in result.tools}
        for tool in page.tools:
            problem = schema_problem(tool.input_schema)
            if problem is not None:
                page.invalid[tool.name] = problem
        return page

    return make


def schema_problem(schema: dict[str, Any]) -> str | None:
    """Why ``schema`` is no valid JSON Schema of an object (None when it is one)."""
    from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped]
    from jsonschema.validators import validator_for  # type: ignore[import-untyped]

    kind = schema.get("type", "object")
    if kind != "object":
        return f"inputSchema is of type {kind!r}, not 'object' (tools take an object)"
    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(part) for part in exc.path)
        return f"inputSchema{'/' + where if where else ''} is not valid JSON Schema: {exc.message}"
    return None


async def _raw_page(client: Client, cursor: str | None) -> dict[str, Any] | None:
    dispatcher = getattr(client.session, "_dispatcher", None)
    send = getattr(dispatcher, "send_raw_request", None)
    if send is None:
        return None
    raw = await send("tools/list", {"cursor": cursor} if cursor else None, {})
    return raw if isinstance(raw, dict) else None


def _absorb(client: Client, page: Page) -> None:
    """Hand the valid tools to the SDK's per-tool state (output schemas, header maps), as
    its own listing would have: else its ``call_tool`` lists again, and fails again."""
    from mcp_types import ListToolsResult

    absorb = getattr(client.session, "_absorb_tool_listing", None)
    if absorb is not None:
        absorb(ListToolsResult(tools=page.tools, next_cursor=page.next_cursor), complete=False)


def _checked(raw: dict[str, Any], wanted: Callable[[str], bool], error: ValidationError) -> Page:
    from mcp_types import Tool
    from pydantic import ValidationError

    listed = raw.get("tools")
    cursor = raw.get("nextCursor")
    page = Page([], cursor if isinstance(cursor, str) else None)
    if not isinstance(listed, list):
        page.invalid["(the listing)"] = _short(error)
        return page
    for item in listed:
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str):
            page.invalid[repr(item)[:80]] = "a tool without a name"
            continue
        page.names.add(name)
        if not wanted(name):
            continue
        try:
            tool = Tool.model_validate(item, by_name=False)
        except ValidationError as exc:
            page.invalid[name] = _short(exc)
            continue
        problem = schema_problem(tool.input_schema)
        if problem is not None:
            page.invalid[name] = problem
        else:
            page.tools.append(tool)
    return page


def _short(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors()
    )
