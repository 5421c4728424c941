"""The collector settings of a ``locus serve`` process, and none for a mounted app."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from locus.serve import create_app
from locus.serve._uvicorn import GC_THRESHOLDS, tune_gc
from tests.unit.serve.conftest import adding_agent


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_gc")
def test_tune_gc_freezes_what_is_loaded_and_raises_the_young_threshold() -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    tune_gc()
    assert gc.get_freeze_count() > 1000  # the modules and objects loaded so far
    assert gc.get_threshold() == GC_THRESHOLDS
    assert GC_THRESHOLDS[0] > 700 and GC_THRESHOLDS[1:] == (10, 10)


@pytest.mark.usefixtures("restored_gc")
def test_create_app_leaves_the_collector_alone() -> None:
    gc.unfreeze()
    before = gc.get_threshold()
    create_app(adding_agent())
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
