"""JSON Schema and an argument validator for a Python function, built with pydantic.

Each parameter becomes a field of a generated pydantic model (its annotation, its
default, and its docstring text as the description); the model validates and
coerces a tool call's arguments, and its JSON Schema is what the model is shown.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from locus.core.errors import ConfigurationError

__all__ = ["arguments_model", "json_schema"]

_NAMED = ("properties", "$defs")
_CONFIG = ConfigDict(extra="forbid", arbitrary_types_allowed=True, populate_by_name=False)


def arguments_model(
    func: Callable[..., Any], name: str, descriptions: Mapping[str, str]
) -> type[BaseModel]:
    """A pydantic model whose fields are ``func``'s parameters (aliased to their real names).

    Fields are stored under private-safe names (``p0``, ``p1``...) with the
    parameter name as alias, so parameters like ``schema`` or ``json`` do not clash
    with ``BaseModel`` attributes.
    """
    hints = _type_hints(func, name)
    fields: dict[str, Any] = {}
    for index, param in enumerate(inspect.signature(func).parameters.values()):
        _check_kind(param, name)
        annotation = hints.get(param.name, Any)
        default = ... if param.default is inspect.Parameter.empty else param.default
        field = Field(default, alias=param.name, description=descriptions.get(param.name))
        fields[f"p{index}"] = (annotation, field)
    model_name = "".join(part.capitalize() for part in name.split("_")) + "Arguments"
    return create_model(model_name, __config__=_CONFIG, **fields)


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema without pydantic's auto-generated ``title`` noise."""
    schema: dict[str, Any] = _strip_titles(model.model_json_schema(by_alias=True))
    return schema


def _type_hints(func: Callable[..., Any], name: str) -> dict[str, Any]:
    """Resolve parameter annotations only (an unresolvable return type does not matter)."""
    annotations = dict(getattr(func, "__annotations__", {}))
    annotations.pop("return", None)
    holder = SimpleNamespace(__annotations__=annotations)
    globalns = getattr(inspect.unwrap(func), "__globals__", {})
    try:
        return typing.get_type_hints(holder, globalns=globalns, include_extras=True)
    except Exception as exc:
        raise ConfigurationError(f"tool {name!r}: cannot resolve type hints: {exc}") from exc


def _check_kind(param: inspect.Parameter, name: str) -> None:
    if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
        raise ConfigurationError(
            f"tool {name!r}: *args/**kwargs parameter {param.name!r} cannot be described "
            "to a model; declare each argument explicitly"
        )
    if param.kind is inspect.Parameter.POSITIONAL_ONLY:
        raise ConfigurationError(
            f"tool {name!r}: positional-only parameter {param.name!r} is not supported; "
            "tool arguments are passed by name"
        )


def _strip_titles(node: Any, *, in_properties: bool = False) -> Any:
    """Drop ``title`` keywords everywhere (but keep properties that are named "title")."""
    if isinstance(node, dict):
        children_named = not in_properties
        return {
            key: _strip_titles(value, in_properties=children_named and key in _NAMED)
            for key, value in node.items()
            if in_properties or key != "title" or not isinstance(value, str)
        }
    if isinstance(node, list):
        return [_strip_titles(item) for item in node]
    return node
