"""``locus._lazy.lazy_exports``: a package's names imported on first use (PEP 562)."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest

from locus._lazy import lazy_exports


@pytest.fixture
def package() -> Iterator[types.ModuleType]:
    module = types.ModuleType("lazy_probe")
    sys.modules["lazy_probe"] = module
    names = {"dumps": "json", "Joined": "os.path:join"}
    module.__getattr__, module.__dir__ = lazy_exports("lazy_probe", names)  # type: ignore[method-assign]
    yield module
    del sys.modules["lazy_probe"]


def test_a_name_is_imported_from_its_module_then_kept(package: types.ModuleType) -> None:
    import json
    import os.path

    assert "dumps" not in vars(package)
    assert package.dumps is json.dumps
    assert vars(package)["dumps"] is json.dumps  # (read directly from now on)
    assert package.Joined is os.path.join  # "module:attribute" takes another name


def test_dir_lists_the_names_before_they_are_read(package: types.ModuleType) -> None:
    assert {"dumps", "Joined"} <= set(dir(package))


def test_an_unknown_name_is_an_attribute_error_naming_the_module(
    package: types.ModuleType,
) -> None:
    with pytest.raises(AttributeError, match="module 'lazy_probe' has no attribute 'nope'"):
        _ = package.nope
    assert not hasattr(package, "also_not")
