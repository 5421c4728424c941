"""The scalar fast path of argument validation gives pydantic's answer or none at all.

Every combination of annotation and value below is validated both ways: where the fast
path answers, its dict equals pydantic's (values, their exact types, key order, the
defaults filled in); where pydantic would coerce or fail, the fast path steps aside.
"""

from __future__ import annotations

import math
from typing import Any, Literal, Optional, Union

import pytest
from pydantic import Field, create_model

from locus.core.errors import ToolArgumentsError
from locus.tools import tool
from locus.tools._fast_args import FastArguments, fast_arguments
from locus.tools._schema import _CONFIG


class _Text(str):
    pass


class _Number(int):
    pass


ANNOTATIONS: list[Any] = [
    str,
    int,
    float,
    bool,
    None,
    Optional[str],  # noqa: UP045 (the typing spelling is a separate origin)
    int | None,
    float | None,
    bool | None,
    int | str,
    str | int,
    float | int,
    int | float,
    bool | int,
    int | bool,
    Union[int, float, None],  # noqa: UP007
    Literal["c", "f"],
]

VALUES: list[Any] = [
    "x",
    "",
    "3",
    "1.5",
    "true",
    "c",
    "F",
    3,
    0,
    1,
    -7,
    2**70,
    3.0,
    1.5,
    math.inf,
    True,
    False,
    None,
    [],
    {},
    _Text("c"),
    _Number(3),
]


def _model(annotation: Any, default: Any = ...) -> Any:
    field = Field(default, alias="value")
    return create_model("Arguments", __config__=_CONFIG, p0=(annotation, field))


def _pydantic(model: Any, arguments: dict[str, Any]) -> dict[str, Any] | None:
    try:
        parsed = model.model_validate(arguments)
    except ValueError:
        return None
    return {str(i.alias): getattr(parsed, k) for k, i in type(parsed).model_fields.items()}


def _same(left: dict[str, Any], right: dict[str, Any]) -> bool:
    pairs = zip(left.items(), right.items(), strict=True)
    return list(left) == list(right) and all(
        type(a) is type(b) and (a == b or (a != a and b != b)) for (_, a), (_, b) in pairs
    )


@pytest.mark.parametrize("annotation", ANNOTATIONS, ids=repr)
def test_the_fast_answer_is_pydantics_answer(annotation: Any) -> None:
    model = _model(annotation)
    fast = fast_arguments(model)
    assert fast is not None
    answered = 0
    for value in VALUES:
        arguments = {"value": value}
        got = fast(arguments)
        if got is None:
            continue
        expected = _pydantic(model, arguments)
        assert expected is not None and _same(got, expected), (annotation, value, got)
        answered += 1
    assert answered  # every annotation here has values the fast path takes


def test_defaults_missing_and_unknown_names() -> None:
    unit: Any = Literal["c", "f"]
    model = create_model(
        "Arguments",
        __config__=_CONFIG,
        p0=(str, Field(..., alias="city")),
        p1=(unit, Field("c", alias="unit")),
        p2=(int | None, Field(None, alias="days")),
    )
    fast = fast_arguments(model)
    assert isinstance(fast, FastArguments)
    cases: list[dict[str, Any]] = [
        {"city": "Oslo"},
        {"city": "Oslo", "unit": "f", "days": 3},
        {"days": 2, "city": "Oslo"},
    ]
    for arguments in cases:
        got, expected = fast(arguments), _pydantic(model, arguments)
        assert got is not None and expected is not None and _same(got, expected)
    assert fast({}) is None  # a required name is missing: pydantic's error
    assert fast({"city": "Oslo", "country": "NO"}) is None  # an unknown name: pydantic's error
    assert fast({"city": "Oslo", "unit": "k"}) is None  # not one of the Literal's values


@pytest.mark.parametrize(
    "annotation",
    [list[int], dict[str, Any], Any, Literal[1, 2], Literal["a"] | None, int | list[int]],
    ids=repr,
)
def test_anything_but_plain_scalars_has_no_fast_path(annotation: Any) -> None:
    assert fast_arguments(_model(annotation)) is None


def test_constraints_factories_and_mutable_defaults_have_no_fast_path() -> None:
    constrained = create_model("A", p0=(int, Field(..., alias="n", gt=0)))
    factory = create_model("B", p0=(str, Field(default_factory=str, alias="s")))
    mutable = create_model("C", p0=(str | None, Field([], alias="items")))
    assert [fast_arguments(m) for m in (constrained, factory, mutable)] == [None, None, None]


async def test_tools_take_the_fast_path_and_keep_pydantics_errors() -> None:
    seen: list[dict[str, Any]] = []

    @tool
    def convert(amount: float, currency: str, rate: float = 1.0) -> float:
        """Convert an amount."""
        seen.append({"amount": amount, "currency": currency, "rate": rate})
        return amount * rate

    assert convert._fast is not None
    assert convert.validate({"amount": 2.5, "currency": "EUR"}) == {
        "amount": 2.5,
        "currency": "EUR",
        "rate": 1.0,
    }
    coerced = convert.validate({"amount": 2, "currency": "EUR", "rate": "0.5"})
    assert coerced == {"amount": 2.0, "currency": "EUR", "rate": 0.5}
    assert type(coerced["amount"]) is float  # pydantic's coercion, not the fast path's
    with pytest.raises(ToolArgumentsError, match="rate: Input should be a valid number"):
        convert.validate({"amount": 2.5, "currency": "EUR", "rate": "lots"})
    with pytest.raises(ToolArgumentsError, match="fee: Extra inputs are not permitted"):
        convert.validate({"amount": 2.5, "currency": "EUR", "fee": 1})
    assert await convert.invoke({"amount": 4.0, "currency": "EUR", "rate": 0.5}) == 2.0
    assert seen == [{"amount": 4.0, "currency": "EUR", "rate": 0.5}]
