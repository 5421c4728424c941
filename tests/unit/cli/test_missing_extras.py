"""A command or package whose extra is not installed says which ``pip install`` brings it,
in one line, instead of a traceback ending in ``No module named 'uvicorn'``. The extra's
modules are hidden from a fresh interpreter by an import hook (the packages stay
installed for the rest of the suite)."""

from __future__ import annotations

import subprocess
import sys

import pytest

_HIDING = """
import importlib.abc, sys
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == h or name.startswith(h + ".") for h in {hidden!r}):
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, Hide())
"""


def _python(hidden: set[str], code: str) -> subprocess.CompletedProcess[str]:
    script = _HIDING.format(hidden=hidden) + code
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("command", "hidden", "line"),
    [
        (
            "emulator",
            {"uvicorn"},
            "locus emulator: the Locus emulator needs uvicorn, which is not installed: "
            "pip install 'locus-oci[emulator]'",
        ),
        (
            "worker",
            {"temporalio"},
            "locus worker: durable runs on Temporal needs temporalio, which is not installed: "
            "pip install 'locus-oci[temporal]'",
        ),
    ],
)
def test_a_command_without_its_extra_says_what_to_install(
    command: str, hidden: set[str], line: str
) -> None:
    code = f"from locus.cli import main; raise SystemExit(main([{command!r}, '--help']))"
    done = _python(hidden, code)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == line
    assert "Traceback" not in done.stderr


def test_importing_the_package_raises_a_module_not_found_error_naming_the_extra() -> None:
    code = (
        "try:\n"
        "    import locus.emulator\n"
        "except ModuleNotFoundError as exc:\n"
        "    print(type(exc).__name__, exc.name, '|', exc)\n"
    )
    done = _python({"starlette"}, code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "MissingExtra starlette | the Locus emulator needs starlette, which is not "
        "installed: pip install 'locus-oci[emulator]'"
    )


def test_a_missing_module_of_another_kind_is_not_dressed_up_as_an_extra() -> None:
    """A module no extra brings (a broken installation) keeps its own error."""
    code = "import locus.emulator"
    done = _python({"locus.emulator._faults"}, code)
    assert done.returncode == 1
    assert "ModuleNotFoundError: No module named 'locus" in done.stderr
    assert "pip install" not in done.stderr
