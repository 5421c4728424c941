"""The emulator's public surface, pinned: others code against exactly this."""

from __future__ import annotations

import inspect
import subprocess
import sys

import locus.emulator
from locus.emulator import Emulator
from locus.emulator.cli import main
from locus.emulator.pytest_plugin import oci_emulator, oci_emulator_fresh


def test_exports_are_pinned() -> None:
    assert sorted(locus.emulator.__all__) == [
        "Catalogue",
        "DEFAULT_REGION",
        "Emulator",
        "Endpoint",
        "FAULT_KINDS",
        "ModelEntry",
    ]
    assert locus.emulator.FAULT_KINDS == (
        "429",
        "429_retry_after",
        "500",
        "503",
        "reset_before",
        "reset_during",
        "malformed_event",
        "slow_first_byte",
        "error_event",
    )


def test_emulator_signature_is_pinned() -> None:
    parameters = inspect.signature(Emulator).parameters
    assert list(parameters)[:4] == ["port", "state_dir", "catalogue", "region"]
    assert parameters["port"].default == 0
    assert parameters["state_dir"].default is None
    assert parameters["region"].default == "us-chicago-1"
    for name in ("service_endpoint", "compartment_id", "config_file", "profile", "info", "api_key"):
        assert isinstance(getattr(Emulator, name), property)
    for method in ("endpoint", "set_faults", "clear_faults", "set_latency", "configure", "reset"):
        assert callable(getattr(Emulator, method))


def test_cli_and_plugin_entry_points_exist() -> None:
    parameters = inspect.signature(main).parameters
    assert list(parameters) == ["argv", "prog"]  # prog: the name usage shows (keyword only)
    assert parameters["prog"].kind is inspect.Parameter.KEYWORD_ONLY
    assert callable(oci_emulator) and callable(oci_emulator_fresh)


def test_importing_locus_does_not_import_the_server_stack() -> None:
    prefixes = "('starlette', 'uvicorn', 'locus.emulator')"
    code = f"import sys, locus; print(sorted(m for m in sys.modules if m.startswith({prefixes})))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
