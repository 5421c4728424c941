"""Output types as JSON schemas and validators: what structured output is built on.

``output_schema(T)`` turns an output type into an ``OutputSchema``: a name fit for a tool
or a response format, the JSON schema a model is shown (simplified for OCI by the same
``simplify_schema`` the tool schemas go through; a type whose schema is not an object is
wrapped as ``{"response": ...}``), and validators for whole and partial JSON answers
(a cached pydantic ``TypeAdapter``; the wrapper is taken off again).

Accepted: a pydantic model, a dataclass, a ``typing_extensions.TypedDict``, ``int``,
``float``, ``bool``, ``str``, ``list[...]``, ``Literal[...]``, an ``Enum``, a union of
pydantic models (``members`` has one schema per member), any other type pydantic can
validate, a ``TypeAdapter``, or a JSON-schema dict, named (``{"name", "schema",
"strict"?, "description"?}``) or bare; a dict validates only as JSON.

Model capabilities (``native_output_support``) live in ``_native_output``.

pydantic is imported on first use, not with this module; ``locus.agent`` imports this one
with the first output type (``Agent(output_type=...)`` or a run's), and a run without an
output type needs neither (``tests/unit/test_imports.py``).
"""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from locus.core._invalid_output import InvalidOutput, invalid_json
from locus.core._json_schema import simplify_schema
from locus.core._native_output import (
    NativeOutputSupport,
    native_output_for,
    native_output_support,
)

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationError

__all__ = [
    "WRAPPER_KEY",
    "InvalidOutput",
    "NativeOutputSupport",
    "OutputSchema",
    "native_output_for",
    "native_output_support",
    "output_schema",
    "response_format_spec",
]

T = TypeVar("T")

WRAPPER_KEY = "response"
"""The one property of the object a non-object output is wrapped in."""

_ACCEPTED = (
    "a pydantic model, a dataclass, a typing_extensions.TypedDict, int, float, bool, str, "
    "list[...], Literal[...], an Enum, a union of pydantic models, a pydantic TypeAdapter, "
    "or a JSON-schema dict (named {'name': ..., 'schema': {...}} or bare)"
)
_PARTIAL: typing.Literal["trailing-strings"] = "trailing-strings"


@dataclass(frozen=True, eq=False, slots=True)
class OutputSchema(Generic[T]):
    """One output type, ready to be shown to a model and to validate its answers."""

    name: str
    """A name fit for a tool or response format (``[A-Za-z0-9_-]``, at most 64 chars)."""
    json_schema: dict[str, Any]
    """The JSON schema of the answer object (simplified for OCI; wrapped if needed)."""
    is_wrapped: bool = False
    """Whether the value travels as ``{"response": value}``."""
    output_type: Any = None
    """The type given (``None`` for a JSON-schema dict)."""
    description: str | None = None
    strict: bool | None = None
    """Strictness asked for by a named schema dict (``None``: the model's default)."""
    members: tuple[OutputSchema[Any], ...] = ()
    """One schema per member of a union of classes (for one tool per member)."""
    _adapter: TypeAdapter[Any] | None = field(default=None, repr=False)
    _wrapper: TypeAdapter[Any] | None = field(default=None, repr=False)

    @property
    def validates_types(self) -> bool:
        """``False`` for a JSON-schema dict, which is only checked to be JSON."""
        return self._adapter is not None

    def response_format(self, *, strict: bool | None = None) -> dict[str, Any]:
        """The named form ``GenerationParams.response_format`` takes."""
        out: dict[str, Any] = {"name": self.name, "schema": self.json_schema}
        chosen = self.strict if strict is None else strict
        if chosen is not None:
            out["strict"] = chosen
        if self.description:
            out["description"] = self.description
        return out

    def validate_json(self, text: str | bytes) -> T:
        """The validated value of a JSON answer (a surrounding code fence is allowed).

        ``InvalidOutput`` (a ``ValueError``) with compact errors when it does not validate.
        """
        from pydantic import ValidationError

        body = strip_fence(text if isinstance(text, str) else text.decode("utf-8", "replace"))
        if self._adapter is None:
            return cast(T, self._unwrap(_load_json(body)))
        if self._wrapper is None:
            return cast(T, _checked(self._adapter.validate_json, body, False))
        try:
            return cast(T, getattr(self._wrapper.validate_json(body), WRAPPER_KEY))
        except ValidationError as exc:
            first = exc
        try:  # a model that forgot the wrapper and answered the bare value
            return cast(T, self._adapter.validate_json(body))
        except ValidationError:
            raise invalid_output(first, wrapped=True) from None

    def validate_python(self, obj: Any) -> T:
        """The validated value of an already parsed answer (the wrapper is optional)."""
        value = self._unwrap(obj) if self.is_wrapped else obj
        if self._adapter is None:
            return cast(T, value)
        return cast(T, _checked(self._adapter.validate_python, value, False))

    def validate_partial(self, text: str) -> T | None:
        """The value of an unfinished JSON answer so far, or ``None`` when it does not
        validate yet (pydantic's partial validation: an unfinished last string or list
        item is kept; a model with a required field not yet seen does not validate)."""
        from pydantic import ValidationError

        body = strip_fence(text, partial=True)
        if not body:
            return None
        try:
            if self._adapter is None:
                return cast(T, self.parse_partial(text))
            if self._wrapper is not None:
                whole = self._wrapper.validate_json(body, experimental_allow_partial=_PARTIAL)
                return cast(T, getattr(whole, WRAPPER_KEY))
            return cast(T, self._adapter.validate_json(body, experimental_allow_partial=_PARTIAL))
        except (ValidationError, ValueError):
            return None

    def parse_partial(self, text: str) -> Any | None:
        """The raw JSON value of an unfinished answer (unwrapped; not validated), or
        ``None`` when nothing can be read yet."""
        import pydantic_core

        body = strip_fence(text, partial=True)
        if not body:
            return None
        try:
            value = pydantic_core.from_json(body, allow_partial=_PARTIAL)
        except (ValueError, TypeError):  # (TypeError: text with a lone surrogate)
            return None
        return self._unwrap(value) if self.is_wrapped else value

    def _unwrap(self, value: Any) -> Any:
        if self.is_wrapped and isinstance(value, dict) and set(value) == {WRAPPER_KEY}:
            return value[WRAPPER_KEY]
        return value


def output_schema(output: Any) -> OutputSchema[Any]:
    """The ``OutputSchema`` of a type, a ``TypeAdapter`` or a JSON-schema dict (cached for
    types). ``ConfigurationError`` for anything else, saying what is accepted."""
    if isinstance(output, OutputSchema):
        return output
    if isinstance(output, Mapping):
        return _from_dict(output)
    from pydantic import TypeAdapter

    if isinstance(output, TypeAdapter):
        return _build(getattr(output, "_type", None), output)
    _check_type_form(output)
    try:
        return _for_type(output)
    except TypeError:  # an unhashable type form: not cached
        return _build(output, None)


def response_format_spec(fmt: Any) -> str | dict[str, Any]:
    """``GenerationParams.response_format`` in the shape every codec reads: ``"text"``,
    ``"json_object"`` or the named ``{"name", "schema", "strict"?, "description"?}``.

    A named dict is kept as given (its schema simplified); a type, a ``TypeAdapter``, an
    ``OutputSchema`` or a bare schema dict becomes its ``OutputSchema``'s named form.
    """
    if isinstance(fmt, str):
        return fmt
    if isinstance(fmt, Mapping) and isinstance(fmt.get("schema"), Mapping):
        return {**fmt, "schema": simplify_schema(fmt["schema"])}
    return output_schema(fmt).response_format()


@functools.lru_cache(maxsize=256)
def _for_type(tp: Any) -> OutputSchema[Any]:
    return _build(tp, None)


def _build(tp: Any, adapter: TypeAdapter[Any] | None) -> OutputSchema[Any]:
    from pydantic import (
        PydanticSchemaGenerationError,
        PydanticUserError,
        TypeAdapter,
        create_model,
    )

    from locus.core.errors import ConfigurationError

    try:
        adapter = adapter if adapter is not None else TypeAdapter(tp)
        raw = adapter.json_schema()
    except (PydanticSchemaGenerationError, PydanticUserError, TypeError) as exc:
        raise ConfigurationError(
            f"cannot use {tp!r} as an output type: {exc}. Accepted: {_ACCEPTED}"
        ) from None
    schema = simplify_schema(raw)
    name = _type_name(tp)
    if _is_object(schema):
        description = schema.get("description")
        return OutputSchema(
            name,
            schema,
            False,
            tp,
            description if isinstance(description, str) else None,
            None,
            _members(tp),
            adapter,
        )
    envelope: dict[str, Any] = {WRAPPER_KEY: (tp if tp is not None else Any, ...)}
    wrapper = create_model("Response", **envelope)
    return OutputSchema(
        name, _wrap(schema), True, tp, None, None, _members(tp), adapter, TypeAdapter(wrapper)
    )


def _from_dict(spec: Mapping[str, Any]) -> OutputSchema[Any]:
    from locus.core.errors import ConfigurationError

    named = spec.get("schema")
    schema = named if isinstance(named, Mapping) else spec
    if not any(k in schema for k in ("type", "properties", "anyOf", "oneOf", "$ref", "enum")):
        raise ConfigurationError(
            f"this dict is not a JSON schema (no 'type', 'properties', 'anyOf', '$ref' or "
            f"'enum'; keys: {sorted(spec)[:8]}). Accepted: {_ACCEPTED}"
        )
    simple = simplify_schema(schema)
    title = spec.get("name") if isinstance(named, Mapping) else schema.get("title")
    strict = spec.get("strict") if isinstance(named, Mapping) else None
    description = spec.get("description") if isinstance(named, Mapping) else None
    if description is None and not isinstance(named, Mapping):
        description = schema.get("description")
    wrapped = not _is_object(simple)
    return OutputSchema(
        _sanitize(str(title or WRAPPER_KEY)),
        _wrap(simple) if wrapped else simple,
        wrapped,
        None,
        description if isinstance(description, str) else None,
        None if strict is None else bool(strict),
    )


def _check_type_form(output: Any) -> None:
    from locus.core.errors import ConfigurationError

    is_form = isinstance(output, type) or typing.get_origin(output) is not None
    if not is_form or output is type(None):
        raise ConfigurationError(f"cannot use {output!r} as an output type. Accepted: {_ACCEPTED}")


def _is_object(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "object" and isinstance(schema.get("properties"), Mapping)


def _wrap(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {WRAPPER_KEY: schema}, "required": [WRAPPER_KEY]}


def _members(tp: Any) -> tuple[OutputSchema[Any], ...]:
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return ()
    from pydantic import BaseModel

    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if len(args) < 2 or not all(isinstance(a, type) and issubclass(a, BaseModel) for a in args):
        return ()
    return tuple(output_schema(a) for a in args)


def _type_name(tp: Any) -> str:
    return _sanitize(_raw_name(tp)) if tp is not None else WRAPPER_KEY


def _raw_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is None:
        return str(getattr(tp, "__name__", WRAPPER_KEY))
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return "_or_".join(_raw_name(a) for a in args if a is not type(None))
    if origin is typing.Literal:
        return "Literal_" + "_".join(str(a) for a in args)
    if origin is typing.Annotated:
        return _raw_name(args[0])
    return "_".join([_raw_name(origin), *(_raw_name(a) for a in args)])


def _sanitize(name: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")
    return clean[:64] or WRAPPER_KEY


def strip_fence(text: str, *, partial: bool = False) -> str:
    """``text`` without a surrounding Markdown code fence (```json ... ```)."""
    body = text.strip()
    if not body.startswith("```"):
        return body
    newline = body.find("\n")
    if newline < 0:
        return ""
    inner = body[newline + 1 :].rstrip()
    if inner.endswith("```"):
        inner = inner[:-3]
    elif not partial:
        return body
    return inner.strip()


_LONE_SURROGATE = "the text holds a lone UTF-16 surrogate (half of a character)"


def _load_json(body: str) -> Any:
    import pydantic_core

    try:
        return pydantic_core.from_json(body)
    except ValueError as exc:
        raise invalid_json(str(exc)) from None
    except TypeError:  # pydantic-core cannot take a str holding a lone surrogate
        raise invalid_json(_LONE_SURROGATE) from None


def _checked(validate: Any, value: Any, wrapped: bool) -> Any:
    from pydantic import ValidationError

    try:
        return validate(value)
    except ValidationError as exc:
        raise invalid_output(exc, wrapped=wrapped) from None


def invalid_output(exc: ValidationError, *, wrapped: bool) -> InvalidOutput:
    """pydantic's errors, compact: ``loc: message (got value)`` joined by ``; ``."""
    errors: list[dict[str, Any]] = []
    lines: list[str] = []
    for error in exc.errors(include_url=False, include_context=False):
        loc = list(error["loc"])
        if wrapped and loc[:1] == [WRAPPER_KEY]:
            loc = loc[1:]
        where = ".".join(str(part) for part in loc)
        errors.append({"loc": where, "msg": error["msg"], "type": error["type"]})
        got = error.get("input")
        shown = f" (got {got!r:.60})" if error["type"] != "missing" and _scalar(got) else ""
        lines.append(f"{where}: {error['msg']}{shown}" if where else f"{error['msg']}{shown}")
    return InvalidOutput("; ".join(lines), errors)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)
