"""``locus --version`` prints the installed distribution's version."""

from __future__ import annotations

from importlib.metadata import version

import pytest

import locus
from locus.cli import main


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_flag(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([flag]) == 0
    assert capsys.readouterr().out == f"locus {version('locus-oci')}\n"


def test_package_version_matches_the_distribution() -> None:
    assert locus.__version__ == version("locus-oci")
