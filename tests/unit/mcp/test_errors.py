"""``MCPConnectionError`` crosses process boundaries (multiprocessing, Temporal activities):
a pickle round trip keeps its message and every field."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest

from locus.core.errors import ToolExecutionError
from locus.mcp import MCPConnectionError


def _error() -> MCPConnectionError:
    return MCPConnectionError(
        "the connection to stdio server 'srv' broke during 'call tool'",
        server="stdio server 'srv'",
        tool_name="lookup",
        stderr="Traceback...\nKeyError: 'DB_URL'",
        status_code=503,
    )


def _raise_in_child() -> None:
    raise _error()


def test_a_pickle_round_trip_keeps_the_message_and_every_field() -> None:
    error = _error()
    error.result = {"partial": True}  # a run's partial result, when a run failed with it
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is MCPConnectionError and isinstance(copy, ToolExecutionError)
    assert str(copy) == str(error) and copy.args == error.args
    assert (copy.server, copy.tool_name, copy.stderr, copy.status_code) == (
        error.server,
        "lookup",
        error.stderr,
        503,
    )
    assert copy.result == {"partial": True}


def test_the_optional_fields_stay_none() -> None:
    copy = pickle.loads(pickle.dumps(MCPConnectionError("gone", server="s")))
    assert (str(copy), copy.server, copy.tool_name, copy.stderr, copy.status_code) == (
        "gone",
        "s",
        None,
        None,
        None,
    )


def test_a_subclass_stays_itself() -> None:
    copy = pickle.loads(pickle.dumps(_Sub("x", server="s", stderr="e")))
    assert type(copy) is _Sub and copy.stderr == "e"


class _Sub(MCPConnectionError):
    pass


def test_raised_in_a_worker_process_it_reaches_the_parent_whole() -> None:
    context = multiprocessing.get_context("spawn")
    with (
        ProcessPoolExecutor(1, mp_context=context) as pool,
        pytest.raises(MCPConnectionError) as caught,
    ):
        pool.submit(_raise_in_child).result(timeout=60)
    assert caught.value.server == "stdio server 'srv'" and caught.value.status_code == 503
    assert caught.value.stderr is not None and caught.value.stderr.endswith("'DB_URL'")
