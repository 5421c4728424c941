"""What the fuzz harnesses share: atheris (an optional, untyped tool) behind a small typed
face, the contract every target is judged by, and the way one input is cut into chunks.

The contract: whatever the input, a target returns a correct result or raises one of our
typed errors (``LocusError``); any other exception is a finding, and so is an input that
takes longer than libFuzzer's ``-timeout``.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import os
import pkgutil
import random
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

__all__ = ["Provider", "chunks", "fuzz", "provider"]


class Provider(Protocol):
    """The part of ``atheris.FuzzedDataProvider`` the harnesses use."""

    def ConsumeBytes(self, count: int) -> bytes: ...

    def ConsumeUnicodeNoSurrogates(self, count: int) -> str: ...

    def ConsumeIntInRange(self, low: int, high: int) -> int: ...

    def ConsumeBool(self) -> bool: ...

    def remaining_bytes(self) -> int: ...


def _atheris() -> Any:
    try:
        return importlib.import_module("atheris")
    except ImportError:
        sys.exit("the fuzz harnesses need atheris: .venv/bin/pip install atheris")


def provider(data: bytes) -> Provider:
    """A ``FuzzedDataProvider`` over ``data``."""
    made: Provider = _atheris().FuzzedDataProvider(data)
    return made


def fuzz(test_one_input: Callable[[bytes], None]) -> None:
    """Run ``test_one_input`` under libFuzzer with ``sys.argv`` as its flags.

    Every function of Locus loaded by then is instrumented for coverage (the standard
    library is not: its edges would only dilute the guidance).
    With ``FUZZ_FINDINGS=<dir>`` set, a failing input does not stop the run: it is saved
    there once per distinct failure (exception type and the line that raised it), with
    its traceback, and fuzzing goes on.
    """
    atheris = _atheris()
    _instrument_locus(atheris)
    findings = os.environ.get("FUZZ_FINDINGS")
    target = test_one_input if not findings else _keep_going(test_one_input, Path(findings))
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


PACKAGES = (
    "locus.core",
    "locus.toolcalls",
    "locus.models._wire",
    "locus.models._openai",
    "locus.models.providers.oci._formats",
)
"""The packages under test: every module of them is imported before instrumenting (some
load lazily, on first use, and would otherwise run uninstrumented)."""


def _instrument_locus(atheris: Any) -> None:
    for name in PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            importlib.import_module(module.name)
    source = str(Path(importlib.import_module("locus").__file__ or "").parent)
    functions = [
        obj
        for obj in gc.get_objects()
        if isinstance(obj, types.FunctionType) and obj.__code__.co_filename.startswith(source)
    ]
    for function in functions:
        atheris.instrument_func(function)
    print(f"INFO: instrumented {len(functions)} functions of {source}", file=sys.stderr)


def _keep_going(test_one_input: Callable[[bytes], None], folder: Path) -> Callable[[bytes], None]:
    folder.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()

    def run(data: bytes) -> None:
        try:
            test_one_input(data)
        except Exception as exc:  # every failure is a finding, saved once
            last = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{type(exc).__name__}@{last.filename}:{last.lineno}"
            if where in seen:
                return
            seen.add(where)
            name = hashlib.sha1(where.encode()).hexdigest()[:12]
            (folder / f"{name}.input").write_bytes(data)
            text = "".join(traceback.format_exception(exc))
            (folder / f"{name}.txt").write_text(f"{where}\n\n{text[-6000:]}")
            print(f"FINDING {where} -> {folder / name}", file=sys.stderr, flush=True)

    return run


def chunks(data: bytes | str, seed: int) -> Iterator[Any]:
    """``data`` cut at points drawn from ``seed``: sometimes one piece per character (or
    byte), otherwise pieces of 1 to 16, so that every boundary gets tried."""
    rng = random.Random(seed)
    widest = 1 if seed % 4 == 0 else rng.randint(1, 16)
    pos = 0
    while pos < len(data):
        step = rng.randint(1, widest)
        yield data[pos : pos + step]
        pos += step
