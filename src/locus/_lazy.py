"""Names a package exports but imports on first use (PEP 562), defined once for all.

``__getattr__, __dir__ = lazy_exports(__name__, {"Name": "package.module", ...})`` in a
module: reading a listed name imports it from its module and keeps it in the importing
module's namespace (found directly from then on); ``dir()`` lists the names before that.
``"package.module:other"`` takes the name from ``other`` in that module. The module declares
the names for type checkers itself, under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    module: str, names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``module`` (its ``__name__``) for ``names``:
    each exported name mapped to the module it lives in."""
    namespace = sys.modules[module].__dict__

    def __getattr__(name: str) -> Any:
        where = names.get(name)
        if where is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        path, _, attribute = where.partition(":")
        value = getattr(import_module(path), attribute or name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *names})

    return __getattr__, __dir__
