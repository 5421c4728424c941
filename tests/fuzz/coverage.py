"""Line coverage of Locus reached by a fuzz target's corpus (stdlib ``trace``, no extra tool).

Run: ``.venv/bin/python -m tests.fuzz.coverage <target> <corpus dir> [module prefix ...]``,
e.g. ``toolcalls /tmp/corpus/toolcalls locus/toolcalls``; it replays every input of the
corpus through ``tests.fuzz.fuzz_<target>.test_one_input`` (failures are counted, not
raised) and prints, per Locus module the target ran, the lines of its functions that ran
(module and class bodies run at import, before the replay, and are not counted).
"""

from __future__ import annotations

import importlib
import inspect
import sys
import trace
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import locus

SOURCE = Path(locus.__file__ or "").parent


def function_lines(code: types.CodeType) -> Iterator[int]:
    """The lines of the functions in ``code`` (not module or class bodies, which ran at
    import, and not a function's ``def`` line)."""
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_flags & inspect.CO_NEWLOCALS:
                lines = {line for _, _, line in const.co_lines() if line is not None}
                yield from lines - {const.co_firstlineno}
            yield from function_lines(const)


def executable(path: Path) -> set[int]:
    return set(function_lines(compile(path.read_text(), str(path), "exec")))


def replay(run: Callable[[bytes], None], corpus: Path) -> tuple[trace.CoverageResults, int, int]:
    tracer = trace.Trace(count=1, trace=0)
    inputs = failures = 0
    for path in sorted(corpus.iterdir()):
        inputs += 1
        try:
            tracer.runfunc(run, path.read_bytes())
        except Exception:
            failures += 1
    return tracer.results(), inputs, failures


def main(target: str, corpus: Path, prefixes: list[str]) -> None:
    run = importlib.import_module(f"tests.fuzz.fuzz_{target}").test_one_input
    results, inputs, failures = replay(run, corpus)
    hit: dict[str, set[int]] = {}
    for (filename, line), _count in results.counts.items():
        if filename.startswith(str(SOURCE)):
            hit.setdefault(filename, set()).add(line)
    total_run = total = 0
    print(f"{inputs} inputs ({failures} failing)")
    for filename in sorted(hit):
        name = str(Path(filename).relative_to(SOURCE.parent))
        if prefixes and not name.startswith(tuple(prefixes)):
            continue
        lines = executable(Path(filename))
        run_lines = hit[filename] & lines
        total_run, total = total_run + len(run_lines), total + len(lines)
        share = 100 * len(run_lines) / len(lines)
        print(f"{name:60} {len(run_lines):4}/{len(lines):4}  {share:5.1f}%")
    if total:
        print(f"{'total':60} {total_run:4}/{total:4}  {100 * total_run / total:5.1f}%")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), sys.argv[3:])
