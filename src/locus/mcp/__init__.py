"""MCP (Model Context Protocol): MCP servers' tools for agents, and Locus tools as a server.

``Agent(model, tools=[MCPServerStdio("uvx", ["some-mcp-server"])])`` offers an MCP
server's tools to the model; ``locus mcp serve module:obj`` serves Locus tools (or an
agent) to other MCP clients. Needs the ``mcp`` extra: ``pip install "locus-oci[mcp]"``.
"""

from locus.mcp._errors import MCPConnectionError
from locus.mcp._servers import MCPServerHTTP, MCPServerSSE, MCPServerStdio
from locus.mcp._toolset import MCPApprovalRule, MCPToolset

__all__ = [
    "MCPApprovalRule",
    "MCPConnectionError",
    "MCPServerHTTP",
    "MCPServerSSE",
    "MCPServerStdio",
    "MCPToolset",
]
