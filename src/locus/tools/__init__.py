"""Tools: ``@tool``, JSON Schema from type hints and docstrings, and the call executor."""

from locus.tools._executor import ToolExecutor, ToolOutcome, Toolset, as_tools
from locus.tools._results import DEFAULT_MAX_RESULT_CHARS
from locus.tools._threads import abandoned as abandoned_tool_calls
from locus.tools._tool import Tool, ToolDefinitionWarning
from locus.tools.decorator import tool

__all__ = [
    "DEFAULT_MAX_RESULT_CHARS",
    "Tool",
    "ToolDefinitionWarning",
    "ToolExecutor",
    "ToolOutcome",
    "Toolset",
    "abandoned_tool_calls",
    "as_tools",
    "tool",
]
