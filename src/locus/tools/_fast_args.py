"""Argument validation for tools whose parameters are plain scalars, without pydantic.

When every parameter is ``str``, ``int``, ``float``, ``bool`` or ``None``, a union of
these, or a ``Literal`` of strings (no constraints, no default factory, no mutable
default), and a call's arguments name only known parameters, give every required one,
and each value's exact type is one its parameter allows (and, for a ``Literal``, is one
of its values), pydantic returns exactly those values (an exact type match is never
coerced) and fills in the defaults as they are. That is all this does; any other call
(one that needs a coercion, or fails) goes to pydantic, so coerced values and error
messages are always pydantic's own. ``tests/unit/tools/test_fast_args.py`` compares the
two on every combination of value and annotation it knows.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic.fields import FieldInfo

__all__ = ["FastArguments", "fast_arguments"]

_SCALARS = frozenset({str, int, float, bool, type(None)})
_REQUIRED = object()

Field = tuple[str, frozenset[type], frozenset[str] | None, Any]
"""A parameter's name, the exact types its value may have, its ``Literal`` values (or
``None``), and its default (``_REQUIRED`` when it has none)."""


class FastArguments:
    """The validator of one arguments model (see the module docstring)."""

    __slots__ = ("_fields", "model")

    def __init__(self, model: type[BaseModel], fields: tuple[Field, ...]) -> None:
        self.model = model
        self._fields = fields

    def __call__(self, arguments: Mapping[str, Any]) -> dict[str, Any] | None:
        """The validated arguments, or ``None`` when pydantic must decide."""
        result: dict[str, Any] = {}
        given = 0
        for name, allowed, choices, default in self._fields:
            if name in arguments:
                value = arguments[name]
                if type(value) not in allowed or (choices is not None and value not in choices):
                    return None
                given += 1
            elif default is _REQUIRED:
                return None
            else:
                value = default
            result[name] = value
        return result if given == len(arguments) else None  # else: an unknown name


def fast_arguments(model: type[BaseModel]) -> FastArguments | None:
    """A ``FastArguments`` for ``model``, or ``None`` when a field is not a plain scalar."""
    fields = []
    for info in model.model_fields.values():
        field = _field(info)
        if field is None:
            return None
        fields.append(field)
    return FastArguments(model, tuple(fields))


def _field(info: FieldInfo) -> Field | None:
    if info.alias is None or info.metadata or info.default_factory is not None:
        return None
    if info.validation_alias is not None and info.validation_alias != info.alias:
        return None
    allowed, choices = _allowed(info.annotation)
    if allowed is None:
        return None
    if info.is_required():
        return info.alias, allowed, choices, _REQUIRED
    if type(info.default) not in _SCALARS:  # a mutable default may be copied by pydantic
        return None
    return info.alias, allowed, choices, info.default


def _allowed(annotation: Any) -> tuple[frozenset[type] | None, frozenset[str] | None]:
    """The exact value types an annotation takes unchanged, and its ``Literal`` strings."""
    if annotation in _SCALARS:
        return frozenset({annotation}), None
    if annotation is None:
        return frozenset({type(None)}), None
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is Literal:
        if arguments and all(type(value) is str for value in arguments):
            return frozenset({str}), frozenset(arguments)
        return None, None
    union = origin is typing.Union or origin is types.UnionType
    if union and all(member in _SCALARS for member in arguments):
        return frozenset(arguments), None
    return None, None
