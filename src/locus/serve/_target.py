"""Load what ``locus serve`` and ``locus chat`` are pointed at: ``module:attribute``."""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import Any

from locus.core.errors import ConfigurationError

__all__ = ["load_target"]


def load_target(spec: str) -> Any:
    """The object named by ``"package.module:name"`` (or a ``path/file.py:name``).

    The current directory is importable, as with ``python -m``. A callable that is not
    an agent (a factory) is called with no arguments.
    """
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise ConfigurationError(f"{spec!r}: expected module:agent, e.g. myapp.agents:support")
    if module_name.endswith(".py"):
        folder, _, file_name = module_name.rpartition("/")
        sys.path.insert(0, os.path.abspath(folder or "."))
        module_name = file_name.removesuffix(".py")
    elif "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(f"cannot import {module_name!r}: {exc}") from exc
    try:
        target = getattr(module, attribute)
    except AttributeError:
        raise ConfigurationError(f"module {module_name!r} has no attribute {attribute!r}") from None
    if callable(target) and not callable(getattr(target, "run", None)):
        target = target()
    return target
