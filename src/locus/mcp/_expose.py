"""Locus tools, or an agent as one tool, served as an MCP server (the ``mcp`` SDK's server).

``mcp_server(target)`` builds the SDK's low-level ``Server`` for a list of ``@tool``s (or
plain functions), one ``Tool``, or an ``Agent``; ``locus mcp serve`` runs it over stdio or
streamable HTTP. A tool that fails answers an MCP error result (``isError``) with the
text a Locus agent would have shown its model, so a client's model can read it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from locus.core.errors import ConfigurationError, ToolError, ToolExecutionError
from locus.tools import Tool, as_tools

if TYPE_CHECKING:
    import mcp_types
    from mcp.server.lowlevel import Server

__all__ = ["mcp_server", "served_tools"]

_AGENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"input": {"type": "string", "description": "the request for the agent"}},
    "required": ["input"],
}


def served_tools(target: object) -> list[Tool[..., Any]]:
    """The tools ``target`` stands for: a list of tools, one tool, or an agent as one tool."""
    if _is_agent(target):
        return [_agent_tool(target)]
    if isinstance(target, Tool) or (callable(target) and not isinstance(target, type)):
        return as_tools([target])
    if isinstance(target, list | tuple):
        return as_tools(target)
    raise ConfigurationError(
        f"cannot serve {target!r} over MCP: give a list of @tool functions, a tool or an Agent"
    )


def mcp_server(target: object, *, name: str = "locus") -> Server[Any]:
    """An MCP server (the SDK's low-level ``Server``) offering ``target``'s tools."""
    from mcp.server.lowlevel import Server

    tools: dict[str, Tool[..., Any]] = {}
    for tool in served_tools(target):
        if tool.name in tools:
            raise ConfigurationError(
                f"two tools are named {tool.name!r}; an MCP client could reach only one: "
                "rename one (@tool(name=...))"
            )
        tools[tool.name] = tool
    listed = [_described(tool) for tool in tools.values()]

    async def list_tools(ctx: Any, params: Any) -> mcp_types.ListToolsResult:
        import mcp_types

        return mcp_types.ListToolsResult(tools=listed)

    async def call_tool(ctx: Any, params: mcp_types.CallToolRequestParams) -> Any:
        return await _call(tools, params.name, params.arguments or {})

    return Server(name, on_list_tools=list_tools, on_call_tool=call_tool)


def _described(tool: Tool[..., Any]) -> mcp_types.Tool:
    import mcp_types

    return mcp_types.Tool(
        name=tool.name, description=tool.description, input_schema=dict(tool.spec.parameters)
    )


async def _call(
    tools: Mapping[str, Tool[..., Any]], name: str, arguments: Mapping[str, Any]
) -> mcp_types.CallToolResult:
    tool = tools.get(name)
    if tool is None:
        return _result(f"there is no tool named {name!r}; tools: {', '.join(tools)}", error=True)
    try:
        value = await tool.invoke(arguments)
    except ToolError as exc:
        return _result(str(exc), error=True)
    except Exception as exc:  # the tool's own failure, reported like a Locus agent would
        return _result(f"tool {name!r} raised {type(exc).__name__}: {exc}", error=True)
    return _value_result(value, name)


def _value_result(value: Any, name: str) -> mcp_types.CallToolResult:
    if isinstance(value, str):
        return _result(value)
    import mcp_types
    import pydantic_core

    try:
        plain = pydantic_core.to_jsonable_python(value)
        text = pydantic_core.to_json(plain).decode()
    except (pydantic_core.PydanticSerializationError, ValueError, TypeError):
        return _result(
            f"tool {name!r} returned a {type(value).__name__} that cannot be turned into "
            "JSON text; return a str, a dict/list of plain values, or a pydantic model",
            error=True,
        )
    structured = plain if isinstance(plain, dict) else None
    content: list[mcp_types.ContentBlock] = [mcp_types.TextContent(type="text", text=text)]
    return mcp_types.CallToolResult(content=content, structured_content=structured)


def _result(text: str, *, error: bool = False) -> mcp_types.CallToolResult:
    import mcp_types

    content: list[mcp_types.ContentBlock] = [mcp_types.TextContent(type="text", text=text)]
    return mcp_types.CallToolResult(content=content, is_error=error)


def _is_agent(target: object) -> bool:
    return callable(getattr(target, "arun", None)) and hasattr(target, "name")


def _agent_tool(agent: Any) -> Tool[..., Any]:
    async def ask(arguments: dict[str, Any]) -> Any:
        result = await agent.arun(arguments["input"])
        if result.stop_reason != "complete":  # paused, or out of iterations: no answer
            why = str(result.stop_reason)
            if result.pending:
                waiting = ", ".join(repr(call.tool) for call in result.pending)
                why += (
                    f" (calls of {waiting} wait for a person's approval, which an MCP client "
                    "cannot give: serve an agent whose tools need none)"
                )
            raise ToolExecutionError(
                f"agent {agent.name!r} stopped without an answer: {why}", tool_name=agent.name
            )
        return result.output

    description = f"Ask the agent {agent.name!r}; it answers in text."
    return Tool.from_schema(str(agent.name), description, _AGENT_SCHEMA, ask)
