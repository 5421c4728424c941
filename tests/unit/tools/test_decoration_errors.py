"""Functions ``@tool`` cannot run as they are: a clear error when the tool is made.

An async generator function accepted at decoration failed at every call ("returned a
async_generator that cannot be turned into JSON text"); a ``functools.partial`` or a
callable object has no ``__name__`` and was refused as "invalid tool name ''" with no
word on how to name it.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator

import pytest

from locus.core.errors import ConfigurationError
from locus.tools import tool


def test_an_async_generator_function_is_refused_with_what_to_do() -> None:
    async def pages(count: int) -> AsyncIterator[str]:
        """Yields pages."""
        for n in range(count):
            yield f"page {n}"

    with pytest.raises(ConfigurationError, match="tool 'pages' is an async generator") as info:
        tool(pages)
    assert "return a list" in str(info.value)


def add(a: int, b: int) -> int:
    """Adds."""
    return a + b


class Adder:
    def __call__(self, a: int) -> int:
        """Adds one."""
        return a + 1


@pytest.mark.parametrize("func", [functools.partial(add, b=2), Adder()])
def test_a_callable_without_a_name_is_told_to_pass_one(func: object) -> None:
    with pytest.raises(ConfigurationError, match=r"pass name=") as info:
        tool(func)  # type: ignore[call-overload]
    assert type(func).__name__ in str(info.value)
    named = tool(func, name="adder", description="Adds.")  # type: ignore[call-overload]
    assert named.name == "adder"
