"""An emulator a program starts and never stops (a module's ``Emulator().start()``, as in
docs and in ``locus eval`` agent modules) stops serving at the process's exit, before the
interpreter is torn down under its running server thread. Checked by an exit handler that
runs after every other one (registered first: they run last in, first out)."""

from __future__ import annotations

import subprocess
import sys

_PROGRAM = """
import atexit, threading
atexit.register(lambda: print("serving at the end:", any(
    t.name == "locus-emulator" and t.is_alive() for t in threading.enumerate())))
import httpx
from locus.emulator import Emulator

emu = Emulator().start()
print("answered:", httpx.get(emu.url + "/healthz", timeout=10).status_code)
"""


def test_a_started_emulator_stops_serving_at_exit() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "serving at the end: False", done.stdout


def test_stop_then_exit_is_quiet() -> None:
    program = _PROGRAM + "emu.stop()\nprint('stopped')\n"
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == ["stopped", "serving at the end: False"]
