"""The tools of a run: the agent's own, its toolsets' (listed at run start), handoffs.

Without toolsets the agent's executor is built once and shared by its runs; with
toolsets each run asks every toolset for its tools (a toolset may cache) and gets an
executor of its own. Two tools with one name are a ``ConfigurationError`` naming both
sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from locus.core.errors import ConfigurationError
from locus.core.toolspec import ToolSpec
from locus.tools._executor import ToolExecutor, Toolset
from locus.tools._tool import Tool

__all__ = ["Toolbox", "check_name", "default_name"]

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def default_name(model_id: str) -> str:
    """``agent-<model short name>``: the model id after its last ``/`` or ``:``, with
    anything but letters, digits, ``_`` and ``-`` turned into ``-`` (at most 64 chars)."""
    short = re.split(r"[/:]", model_id)[-1] or "model"
    short = re.sub(r"[^A-Za-z0-9_-]+", "-", short).strip("-") or "model"
    return f"agent-{short}"[:64]


def check_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigurationError(
            f"Agent name must be letters, digits, '_' and '-' (it names handoff tools, events "
            f"and traces), got {name!r}"
        )
    return name


class Toolbox:
    """The agent's tools and toolsets, and how to build a run's executor from them."""

    def __init__(
        self,
        tools: Sequence[Tool[Any, Any]],
        toolsets: Sequence[Toolset],
        *,
        timeout: float | None,
        max_result_chars: int | None,
    ) -> None:
        self.tools = list(tools)
        self.toolsets = list(toolsets)
        self.timeout = timeout
        self.max_result_chars = max_result_chars
        self.executor = ToolExecutor(tools, timeout=timeout, max_result_chars=max_result_chars)
        self.specs: list[ToolSpec] = [item.spec for item in self.tools]

    async def for_run(self) -> tuple[ToolExecutor, list[ToolSpec]]:
        """The executor and specs of one run (the shared ones when there are no toolsets)."""
        if not self.toolsets:
            return self.executor, self.specs
        tools = list(self.tools)
        owners = {item.name: "the agent's tools" for item in tools}
        for toolset in self.toolsets:
            for item in await toolset.list_tools():
                if not isinstance(item, Tool):
                    raise ConfigurationError(
                        f"toolset {toolset!r} listed {item!r}, which is not a locus Tool"
                    )
                if item.name in owners:
                    _duplicate(item.name, owners[item.name], repr(toolset))
                owners[item.name] = repr(toolset)
                tools.append(item)
        executor = ToolExecutor(tools, timeout=self.timeout, max_result_chars=self.max_result_chars)
        return executor, [item.spec for item in tools]

    async def aclose(self) -> None:
        """Close every toolset that can be closed."""
        for toolset in self.toolsets:
            aclose = getattr(toolset, "aclose", None)
            if aclose is not None:
                await aclose()


def _duplicate(name: str, first: str, second: str) -> None:
    raise ConfigurationError(
        f"two tools are named {name!r}: one from {first}, one from {second}; rename one "
        "(e.g. a toolset's prefix= or include=/exclude=)"
    )
