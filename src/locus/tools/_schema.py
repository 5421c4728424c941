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

from pydantic import BaseModel, ConfigDict, Field, PydanticUserError, TypeAdapter, create_model

from locus.core.errors import ConfigurationError, ToolArgumentsError

__all__ = ["arguments_model", "check_arguments", "context_parameter", "json_schema"]

_NAMED = ("properties", "$defs")
_CONFIG = ConfigDict(extra="forbid", arbitrary_types_allowed=True, populate_by_name=False)


def context_parameter(func: Callable[..., Any], name: str) -> str | None:
    """The parameter annotated ``RunContext`` (or ``RunContext[Deps]``), if there is one.

    The run's context is handed to it; it is not part of the tool's schema. The class is
    recognised by a marker attribute, so this layer need not import the agent.
    """
    for param, hint in _type_hints(func, name).items():
        target = typing.get_origin(hint) or hint
        if getattr(target, "__locus_run_context__", False):
            return param
    return None


def arguments_model(
    func: Callable[..., Any],
    name: str,
    descriptions: Mapping[str, str],
    *,
    skip: str | None = None,
) -> type[BaseModel]:
    """A pydantic model whose fields are ``func``'s parameters (aliased to their real names).

    Fields are stored under private-safe names (``p0``, ``p1``...) with the
    parameter name as alias, so parameters like ``schema`` or ``json`` do not clash
    with ``BaseModel`` attributes. ``skip`` names a parameter left out (the context).
    """
    hints = _type_hints(func, name)
    fields: dict[str, Any] = {}
    for index, param in enumerate(inspect.signature(func).parameters.values()):
        if param.name == skip:
            continue
        _check_kind(param, name)
        annotation = hints.get(param.name, Any)
        default = ... if param.default is inspect.Parameter.empty else param.default
        field = Field(default, alias=param.name, description=descriptions.get(param.name))
        fields[f"p{index}"] = (annotation, field)
    model_name = "".join(part.capitalize() for part in name.split("_")) + "Arguments"
    return create_model(model_name, __config__=_CONFIG, **fields)


def json_schema(model: type[BaseModel], name: str = "") -> dict[str, Any]:
    """The model's JSON Schema without pydantic's auto-generated ``title`` noise.

    A parameter type JSON Schema has no word for (a plain class) is a
    ``ConfigurationError`` naming the parameter, raised when the tool is made.
    """
    try:
        schema: dict[str, Any] = _strip_titles(model.model_json_schema(by_alias=True))
    except PydanticUserError as exc:
        raise ConfigurationError(_undescribable(model, name, exc)) from exc
    return schema


def _undescribable(model: type[BaseModel], name: str, exc: Exception) -> str:
    """What to say about a model with no JSON Schema: the first parameter that has none."""
    for field in model.model_fields.values():
        annotation: Any = field.annotation
        try:
            TypeAdapter(annotation).json_schema()  # (no config: a model type refuses one)
        except PydanticUserError as found:
            exc = found
            where = f"parameter {field.alias!r} of type {annotation!r}"
            break
    else:
        where = "a parameter"
    return (
        f"tool {name!r}: {where} cannot be described to a model as JSON Schema ({exc}); "
        "annotate it with a JSON type (str, int, float, bool, list, dict), an Enum, a "
        "Literal or a pydantic model, and build the object inside the tool"
    )


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


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


def check_arguments(name: str, schema: Mapping[str, Any], arguments: Mapping[str, Any]) -> None:
    """Check arguments against a JSON schema's basics: required names, top-level property
    types and enums, and no unknown names when ``additionalProperties`` is false.

    Deeper checks are the tool's own (an MCP server validates its input itself); these
    catch what a model most often gets wrong, with a message it can act on.
    """
    properties = schema.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    problems = [f"{key}: field required" for key in schema.get("required", ()) or ()]
    problems = [p for p in problems if p.split(":")[0] not in arguments]
    if schema.get("additionalProperties") is False:
        problems += [f"{key}: not a known argument" for key in arguments if key not in properties]
    for key, value in arguments.items():
        rule = properties.get(key)
        if isinstance(rule, Mapping) and (problem := _type_problem(rule, value)):
            problems.append(f"{key}: {problem}")
    if problems:
        text = f"invalid arguments for tool {name!r}: " + "; ".join(problems)
        raise ToolArgumentsError(text, tool_name=name)


def _type_problem(rule: Mapping[str, Any], value: Any) -> str | None:
    """What is wrong with ``value`` under one property's ``type``/``enum`` (or ``None``)."""
    enum = rule.get("enum")
    if isinstance(enum, list) and value not in enum:
        return f"must be one of {enum!r}"
    wanted = rule.get("type")
    names = [wanted] if isinstance(wanted, str) else wanted if isinstance(wanted, list) else []
    known = [n for n in names if n in _JSON_TYPES]
    if not known or any(_is_type(value, n) for n in known):
        return None
    return f"must be of type {' or '.join(known)}, got {_json_type(value)}"


def _is_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _JSON_TYPES[name])


def _json_type(value: Any) -> str:
    for name in _JSON_TYPES:
        if _is_type(value, name):
            return name
    return type(value).__name__
