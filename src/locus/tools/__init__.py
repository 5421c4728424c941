"""Tools: ``@tool``, JSON Schema from type hints and docstrings, and the call executor."""

from locus.tools.decorator import tool
from locus.tools.executor import ToolExecutor, ToolOutcome, as_tools
from locus.tools.results import DEFAULT_MAX_RESULT_CHARS
from locus.tools.tool import Tool

__all__ = [
    "DEFAULT_MAX_RESULT_CHARS",
    "Tool",
    "ToolExecutor",
    "ToolOutcome",
    "as_tools",
    "tool",
]
