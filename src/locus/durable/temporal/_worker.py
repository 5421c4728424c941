"""A Temporal worker that runs durable agent runs: ``create_worker`` and ``locus worker``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from temporalio.client import Client
from temporalio.plugin import SimplePlugin
from temporalio.worker import UnsandboxedWorkflowRunner, Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from locus.agent import Agent
from locus.core.errors import ConfigurationError
from locus.durable.temporal._activities import activities
from locus.durable.temporal._agents import load_object, serve
from locus.durable.temporal._deps import WorkerDeps
from locus.durable.temporal._toolsets import closing
from locus.durable.temporal._workflow import AgentWorkflow

__all__ = ["create_worker", "main"]


def create_worker(
    client: Client,
    *,
    task_queue: str,
    agents: Sequence[str] | Mapping[str, Agent[Any]],
    sandbox: bool = True,
    deps: Any = None,
    **worker_options: Any,
) -> Worker:
    """A worker serving ``agents`` on ``task_queue``: specs (``"module:agent"``, loaded
    now) or agents by the spec runs will name. Run it with ``async with worker:`` or
    ``await worker.run()``. ``worker_options`` go to ``temporalio.worker.Worker``.

    ``sandbox=False`` runs workflows without Temporal's sandbox: about a third less
    worker CPU per run (docs/durable.md, Throughput). ``locus`` and the agents' modules
    are passed through the sandbox anyway, so it checks little of a run; leave it on
    when hooks or validators import other code inside the workflow.

    ``deps`` is what the agents' tools (and approval rule functions) see as ``ctx.deps``
    in this worker: a callable is a factory called with the run's JSON deps
    (``start_run(deps=...)``, ``None`` for a run without) once per run in this process,
    which may be async and may do I/O (``lambda value: MyDeps(pool=POOL,
    user_id=value["user_id"])``); any other object is given to every run as it is (a
    database pool); without it tools see the run's JSON value. Hooks, output validators
    and history processors run in the workflow and see the JSON value. To give every run a
    callable object, wrap it: ``deps=lambda value: obj``.

    Every worker of a task queue must serve the same agents, built the same way (and
    build deps the same way). The agents' toolsets (MCP servers) connect on first use in
    this process and are closed when the worker shuts down.
    """
    given = dict(agents) if isinstance(agents, Mapping) else dict.fromkeys(agents)
    if not given:
        raise ConfigurationError("create_worker needs at least one agent to serve")
    roots = {spec.partition(":")[0].split(".")[0] for spec in given}
    served = [serve(spec, agent) for spec, agent in given.items()]
    closer = SimplePlugin("locus.close_toolsets", run_context=lambda: closing(served))
    plugins = [*worker_options.pop("plugins", ()), closer]
    restrictions = SandboxRestrictions.default.with_passthrough_modules(
        "locus", *sorted(r for r in roots if r and not r.endswith(".py"))
    )
    runner: WorkflowRunner = (
        SandboxedWorkflowRunner(restrictions=restrictions)
        if sandbox
        else UnsandboxedWorkflowRunner()
    )
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[AgentWorkflow],
        activities=activities(WorkerDeps(deps)),
        workflow_runner=runner,
        plugins=plugins,
        **worker_options,
    )


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run durable agent runs (Temporal).",
        epilog="example:\n  %(prog)s --task-queue agents --address temporal.internal:7233 "
        "myapp.agents:support",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("agents", nargs="+", metavar="module:agent", help="the agents to serve")
    parser.add_argument(
        "--task-queue", required=True, type=_queue_name, help="the Temporal task queue"
    )
    parser.add_argument(
        "--address",
        default=os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"),
        help="HOST:PORT of the Temporal frontend (default: $TEMPORAL_ADDRESS or localhost:7233)",
    )
    parser.add_argument(
        "--namespace",
        default=os.environ.get("TEMPORAL_NAMESPACE", "default"),
        help="the Temporal namespace (default: $TEMPORAL_NAMESPACE or default)",
    )
    parser.add_argument(
        "--deps",
        metavar="module:name",
        help="what tools see as ctx.deps: a factory called with each run's JSON deps, or an "
        "object for every run (create_worker(deps=...); see docs/durable.md)",
    )
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run workflows outside Temporal's sandbox (less CPU per run; see docs/durable.md)",
    )
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = "locus worker") -> int:
    """``locus worker --task-queue Q [--address HOST:PORT] module:agent ...`` until
    SIGTERM or SIGINT (running activities finish first, within Temporal's grace). It ends
    the process with its exit status (1: Temporal unreachable, 2: nothing to serve)."""
    args = _parser(prog).parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except _Unreachable as exc:  # a runtime failure, not a mistake in the command
        print(f"{prog}: {exc}", file=sys.stderr)
        status = 1
    except ConfigurationError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        status = 2
    else:
        status = 0
    _leave(status)


def _leave(status: int) -> NoReturn:
    """End the process now, without the interpreter's finalization: once Temporal's client
    runtime was started (even one that failed to connect), its native threads can call
    into an interpreter that is finalizing, which aborts the process (SIGABRT, exit 134,
    "Fatal Python error: PyGILState_Release", temporalio/sdk-python#300) after the worker
    had ended well. What was written is flushed first."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # (a closed or broken pipe)
            stream.flush()
    os._exit(status)


class _Unreachable(Exception):
    """Temporal did not answer at ``--address``."""


def _queue_name(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("the task queue needs a name")
    return value


async def _serve(args: argparse.Namespace) -> None:
    # what cannot be served is refused before Temporal is reached (a process that exits
    # with a client alive may abort at exit: temporalio/sdk-python#300)
    deps = load_object(args.deps, "deps") if args.deps else None
    for spec in args.agents:
        serve(spec)
    try:
        client = await Client.connect(args.address, namespace=args.namespace)
    except RuntimeError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _Unreachable(
            f"cannot reach Temporal at {args.address}: is it running? (--address, "
            f"$TEMPORAL_ADDRESS) ({first})"
        ) from None
    worker = create_worker(
        client,
        task_queue=args.task_queue,
        agents=args.agents,
        sandbox=not args.no_sandbox,
        deps=deps,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with worker:
        names = " ".join(args.agents)
        print(
            f"locus worker: serving {names} on task queue {args.task_queue!r} at {args.address}",
            file=sys.stderr,
            flush=True,
        )
        await stop.wait()
