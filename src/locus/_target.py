"""Load what ``locus serve``, ``locus chat``, ``locus worker`` and ``locus eval`` are
pointed at: ``module:agent`` (or ``path/file.py:agent``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from importlib import import_module
from typing import Any

from locus.cli import code_error, shadow_hint
from locus.core.errors import ConfigurationError

__all__ = ["TargetFailed", "load", "load_target"]


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
    if callable(target) and not callable(getattr(target, "run", None)) and not _is_tool(target):
        target = target()
    return target


def _is_tool(target: Any) -> bool:
    """A ``@tool`` (callable, but not an agent factory: calling it would run the tool)."""
    return callable(getattr(target, "invoke", None)) and hasattr(target, "spec")


class TargetFailed(Exception):
    """The user's module, or factory, raised while a ``module:agent`` was loaded."""


def load(spec: str, *, mapping: bool = True) -> Any:
    """The object ``spec`` names, checked to be an agent (or, with ``mapping``, a dict of
    them): a mistake in ``spec`` is a ``ConfigurationError``, an exception the user's
    code raised while it was imported or called is a ``TargetFailed`` that says where."""
    module = spec.partition(":")[0]
    if module.endswith(".py") and not os.path.isfile(module):
        raise ConfigurationError(f"{spec!r}: there is no file {module}")
    try:
        target = load_target(spec)
    except ConfigurationError as exc:
        hint = "" if module.endswith(".py") else shadow_hint(module)
        if not hint:
            raise
        raise ConfigurationError(f"{exc}{hint}") from exc
    except Exception as exc:
        raise TargetFailed(f"loading {spec} failed: {code_error(exc)}") from exc
    if not callable(getattr(target, "run", None)) and not (mapping and isinstance(target, Mapping)):
        wanted = "an Agent, a {name: agent} dict or a factory" if mapping else "an Agent"
        raise ConfigurationError(
            f"{spec} is {_a(type(target).__name__)}, not an agent: point at {wanted}"
        )
    return target


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"
