"""Tools: ``@tool``, JSON Schema from type hints and docstrings, and the call executor.

``abandoned_tool_calls`` is imported on first use, with the sync tools' thread pool
(``locus.tools._threads``), which an agent whose tools are all async never starts.
"""

from typing import TYPE_CHECKING

from locus._lazy import lazy_exports
from locus.tools._executor import ToolExecutor, ToolOutcome, Toolset, as_tools
from locus.tools._results import DEFAULT_MAX_RESULT_CHARS
from locus.tools._tool import Tool, ToolDefinitionWarning
from locus.tools.decorator import tool

if TYPE_CHECKING:
    from locus.tools._threads import abandoned as abandoned_tool_calls

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


__getattr__, __dir__ = lazy_exports(
    __name__, {"abandoned_tool_calls": "locus.tools._threads:abandoned"}
)
