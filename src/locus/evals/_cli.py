"""``locus eval DATASET AGENT``: run a dataset against an agent from a shell or a CI job.

It prints the report; with ``--json FILE`` it keeps it, and with ``--compare FILE`` (a
report an earlier run kept) it shows what changed. The exit status is 0 when the pass
rate reaches ``--min-pass-rate`` (1.0 by default) and no case that passed in the compared
report fails now, 1 otherwise, 2 for a usage mistake.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from locus._target import TargetFailed, load, load_target
from locus.cli import code_error, positive
from locus.core.errors import ConfigurationError, LocusError

__all__ = ["main"]

_EXAMPLES = """examples:
  %(prog)s weather_evals:dataset weather:agent
  %(prog)s weather.json weather:agent --min-pass-rate 0.9 --json report.json
  %(prog)s weather_evals:dataset weather:agent --compare last_good.json
"""


def _rate(text: str) -> float:
    """An argparse type: a pass rate, 0 to 1."""
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 1") from None
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a pass rate from 0 to 1 (0.9: 90 %)")
    return rate


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run an evaluation dataset (locus.evals) against an agent and print its "
        "report; the status is 1 when the pass rate is below --min-pass-rate or a case that "
        "passed in --compare's report fails now (docs/evals.md).",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "dataset", help="module:dataset (a Dataset), or a file Dataset.to_file wrote"
    )
    parser.add_argument("agent", help="module:agent (an Agent, or a function that makes one)")
    parser.add_argument(
        "--max-concurrency", type=positive, default=8, help="cases run at once (default 8)"
    )
    parser.add_argument("--repeat", type=positive, default=1, help="runs per case (default 1)")
    parser.add_argument(
        "--min-pass-rate", type=_rate, default=1.0, help="the least pass rate, 0-1 (default 1)"
    )
    parser.add_argument("--json", metavar="FILE", help="write the report there as JSON")
    parser.add_argument(
        "--compare", metavar="FILE", help="a report --json wrote before: show what changed"
    )
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = "locus eval") -> int:
    args = _parser(prog).parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        dataset = _dataset(args.dataset)
        agent = load(args.agent, mapping=False)
        before = _report(args.compare) if args.compare else None
    except (ConfigurationError, TargetFailed, LocusError, OSError) as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, TargetFailed) else 2
    try:
        report = dataset.evaluate_sync(
            agent, max_concurrency=args.max_concurrency, repeat=args.repeat
        )
    except LocusError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 1
    print(report.render())
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_dict(), indent=2) + "\n", "utf-8")
    failed = False
    if before is not None:
        diff = before.compare(report)
        print()
        print(diff.render())
        if diff.regressions:
            names = ", ".join(change.key for change in diff.regressions)
            print(f"{prog}: passed in {args.compare}, failing now: {names}", file=sys.stderr)
            failed = True
    if report.pass_rate < args.min_pass_rate:
        print(
            f"{prog}: pass rate {report.pass_rate:.1%} is below --min-pass-rate "
            f"{args.min_pass_rate:.1%}",
            file=sys.stderr,
        )
        failed = True
    return 1 if failed else 0


def _dataset(spec: str) -> Any:
    """A ``Dataset`` from ``module:name``, or from a file ``Dataset.to_file`` wrote."""
    from locus.evals import Dataset

    if ":" not in spec or Path(spec).is_file():
        if not Path(spec).is_file():
            raise ConfigurationError(
                f"{spec!r} is neither module:dataset nor a dataset file that exists"
            )
        return Dataset.from_file(spec)
    try:
        found = load_target(spec)
    except ConfigurationError:
        raise
    except Exception as exc:
        raise TargetFailed(f"loading {spec} failed: {code_error(exc)}") from exc
    if not isinstance(found, Dataset):
        raise ConfigurationError(f"{spec} is a {type(found).__name__}, not a locus.evals Dataset")
    return found


def _report(path: str) -> Any:
    """The report an earlier ``--json`` wrote."""
    from locus.evals import EvaluationReport

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"--compare {path}: not JSON ({exc})") from None
    return EvaluationReport.from_dict(data)
