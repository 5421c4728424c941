"""A durable run's deps without a server: the JSON value a client sends
(``wire.deps_to_json``) and what a worker makes of it (``_deps.WorkerDeps``): the value
itself, a plain object, or a factory's object kept per run (bounded; calls that arrive
together wait for one build; a failed build is not kept)."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable
from typing import Any

import pydantic
import pytest

from locus.core.errors import ConfigurationError
from locus.durable.temporal import _wire as wire
from locus.durable.temporal._deps import (
    MAX_DEPS_BYTES,
    WorkerDeps,
    check_deps_size,
    check_deps_type,
)

LOADS: list[Any] = []
"""The values the loaders of ``of`` gave, in order (a worker reads them from the run's input)."""


def of(value: Any) -> Callable[[], Awaitable[Any]]:
    """A run's JSON deps as a worker loads them (each load noted in ``LOADS``)."""

    async def load() -> Any:
        LOADS.append(value)
        return value

    return load


class Plan(enum.StrEnum):
    GOLD = "gold"


class User(pydantic.BaseModel):
    user_id: str
    plan: Plan = Plan.GOLD


def test_json_values_pass_as_plain_json_and_models_as_their_dump() -> None:
    given = {"user": User(user_id="u-1"), "ids": (1, 2), "plan": Plan.GOLD, "on": None}
    found = wire.deps_to_json(given)
    assert found == {
        "user": {"user_id": "u-1", "plan": "gold"},
        "ids": [1, 2],
        "plan": "gold",
        "on": None,
    }
    assert type(found["plan"]) is str and type(found["user"]["plan"]) is str
    assert wire.deps_to_json(None) is None and wire.deps_to_json(2.5) == 2.5


class Opaque(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)
    handle: object


@pytest.mark.parametrize(
    ("value", "start"),
    [
        ({"a": [1, {"b": b"x"}]}, "deps['a'][1]['b'] is of type bytes"),
        (float("nan"), "deps is nan, not a JSON number"),
        ({("a", 1): 2}, "deps has the tuple key ('a', 1)"),
        (Opaque(handle=object()), "deps is a pydantic model (Opaque) that is not JSON"),
    ],
)
def test_other_values_are_refused_naming_where_they_are(value: Any, start: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        wire.deps_to_json(value)
    assert str(raised.value).startswith(start)
    assert "must hold no secret" in str(raised.value)


async def test_without_worker_deps_tools_see_the_value_and_a_plain_object_is_given_as_is() -> None:
    value = {"user_id": "u-1"}
    LOADS.clear()
    plain = WorkerDeps()
    assert await plain.for_run(("w", "r"), of(value)) is value
    assert await plain.for_run(("w", "r"), of(value)) is value
    pool = object()
    assert await WorkerDeps(pool).for_run(("w", "r"), of(value)) is pool
    assert [value] == LOADS  # once per run; never for a plain object


async def test_a_factory_error_is_a_configuration_error_naming_the_factory_not_the_values() -> None:
    def account_of(value: Any) -> str:
        return str(value["user_id"])

    deps = WorkerDeps(account_of)
    with pytest.raises(ConfigurationError) as raised:
        await deps.for_run(("w", "r"), of({"user": "secret-ish-u-1"}))
    message = str(raised.value)
    assert message.startswith(
        "the worker's deps factory tests.unit.durable.test_deps."
        "test_a_factory_error_is_a_configuration_error_naming_the_factory_not_the_values."
        "<locals>.account_of raised KeyError: 'user_id' for the run's deps {'user'} (keys): "
    )
    assert "not retried" in message and "secret-ish-u-1" not in message
    assert isinstance(raised.value.__cause__, KeyError)
    assert await WorkerDeps(str).for_run(("w", "r"), of(None)) == "None"  # (a run without)


def test_deps_over_the_size_limit_are_refused_with_what_to_do() -> None:
    check_deps_size({"notes": "x" * (MAX_DEPS_BYTES - 20)})
    with pytest.raises(ConfigurationError, match=r"over the limit of 65536 bytes"):
        check_deps_size({"notes": "é" * (MAX_DEPS_BYTES // 2)})  # (bytes, not characters)


async def test_a_factory_is_called_once_per_run_even_for_calls_that_arrive_together() -> None:
    built: list[Any] = []
    gate = asyncio.Event()

    async def build(value: Any) -> dict[str, Any]:
        built.append(value)
        await gate.wait()
        return {"made": value}

    deps = WorkerDeps(build)
    calls = [asyncio.ensure_future(deps.for_run(("w", "r1"), of(1))) for _ in range(3)]
    await asyncio.sleep(0)
    gate.set()
    found = await asyncio.gather(*calls)
    assert found[0] is found[1] is found[2] and found[0] == {"made": 1}
    assert await deps.for_run(("w", "r2"), of(2)) == {"made": 2}
    assert await deps.for_run(("w", "r1"), of(1)) is found[0]
    assert built == [1, 2]


async def test_the_kept_runs_are_bounded_and_a_dropped_run_is_built_again() -> None:
    built: list[str] = []

    def build(value: Any) -> str:
        built.append(value)
        return f"deps of {value}"

    deps = WorkerDeps(build, kept=2)
    for run in ("a", "b", "a", "c", "a", "b"):
        await deps.for_run(("w", run), of(run))
    assert built == ["a", "b", "c", "b"]  # b was the least recently used when c came


async def test_a_failed_build_is_raised_to_every_waiting_call_and_not_kept() -> None:
    attempts: list[int] = []
    gate = asyncio.Event()

    async def build(value: Any) -> str:
        attempts.append(value)
        await gate.wait()
        if len(attempts) == 1:
            raise KeyError("user_id")
        return "ok"

    deps = WorkerDeps(build)
    calls = [asyncio.ensure_future(deps.for_run(("w", "r"), of(1))) for _ in range(2)]
    await asyncio.sleep(0)
    gate.set()
    found = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(item, ConfigurationError) for item in found)
    assert all(isinstance(item.__cause__, KeyError) for item in found)
    assert await deps.for_run(("w", "r"), of(1)) == "ok" and attempts == [1, 1]


async def test_a_cancelled_build_lets_a_waiting_call_build_it() -> None:
    gate = asyncio.Event()

    async def build(value: Any) -> str:
        await gate.wait()
        return "built"

    deps = WorkerDeps(build)
    first = asyncio.ensure_future(deps.for_run(("w", "r"), of(1)))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(deps.for_run(("w", "r"), of(1)))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    gate.set()
    assert await second == "built"
    assert first.cancelled()


def test_the_deps_type_is_checked_as_arun_checks_it_none_let_through() -> None:
    check_deps_type(User, User(user_id="u"), "a")
    check_deps_type(User, None, "a")
    check_deps_type(None, {"user_id": "u"}, "a")
    with pytest.raises(
        ConfigurationError, match=r"deps_type=User, but the worker gives its tools a dict"
    ):
        check_deps_type(User, {"user_id": "u"}, "a")
