"""``locus serve --workers N``: several serving processes sharing one listening socket.

The parent binds the socket, prints the address and hands the socket to N worker
processes under uvicorn's supervisor (which restarts a worker that dies and passes a
SIGTERM/SIGINT on, so each worker drains its running streams before it exits). Each
worker loads the agents itself, from the same ``module:agent`` targets, through
``worker_app`` (the options travel in an environment variable; no secret is among
them: the token stays in ``LOCUS_SERVE_TOKEN``).

What a worker holds in memory is its own: an in-memory thread store (its threads, and
the runs paused on them) and ``/v1/status``'s counters. Threads shared across workers
need a shared store (an SQLite file, PostgreSQL); with one, a paused run resumes on any
worker, by its thread (AG-UI ``resume``) or by its run id (``POST .../approvals``:
``_paused``). The trusted proxies (``--forwarded-allow-ips``) travel in uvicorn's
config, resolved once by the parent.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from starlette.applications import Starlette

from locus.serve._app import auth_log, create_app
from locus.serve._uvicorn import config, tune_gc

__all__ = ["OPTIONS_ENV", "memory_stores", "serve_workers", "worker_app"]

OPTIONS_ENV = "LOCUS_SERVE_WORKER_OPTIONS"
log = logging.getLogger("locus.serve")


def memory_stores(agents: dict[str, Any]) -> list[str]:
    """The names of the agents whose threads live in this process's memory only."""
    from locus.stores import InMemoryThreadStore

    found = []
    for name, agent in agents.items():
        if isinstance(getattr(agent, "thread_store", None), InMemoryThreadStore):
            found.append(name)
    return found


def worker_app() -> Starlette:
    """The app of one worker process (uvicorn's factory): ``create_app`` over the
    targets and options the parent put in ``LOCUS_SERVE_WORKER_OPTIONS``."""
    from locus.serve._cli import configure_logging, load_agents

    options = json.loads(os.environ[OPTIONS_ENV])
    configure_logging(options.pop("log_level"))  # (a spawned process starts without it)
    auth_log.setLevel(logging.ERROR)  # the parent said "auth is off" once for all workers
    try:
        app = create_app(load_agents(options.pop("targets")), **options)
    finally:
        auth_log.setLevel(logging.NOTSET)
    app.state.served.owns_stores = True  # (the worker's process is ours)
    tune_gc()
    return app


def serve_workers(
    targets: list[str],
    options: dict[str, Any],
    *,
    host: str,
    port: int,
    workers: int,
    log_level: str,
    forwarded_allow_ips: list[str] | None = None,
) -> int:
    """Serve with ``workers`` processes until SIGINT/SIGTERM; 0 after a clean stop, 1 if
    a worker could not start."""
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    os.environ[OPTIONS_ENV] = json.dumps({"targets": targets, "log_level": log_level, **options})
    settings = config(
        "locus.serve._workers:worker_app",
        host,
        port,
        log_level=log_level,
        shutdown_timeout=options["shutdown_timeout"],
        forwarded_allow_ips=forwarded_allow_ips,
    )
    settings.factory = True
    settings.workers = workers
    sock = settings.bind_socket()
    sock.listen(settings.backlog)  # connections wait in the backlog while the workers start
    try:
        bound_host, bound_port = sock.getsockname()[:2]
        print(f"locus serve listening on http://{bound_host}:{bound_port}", flush=True)
        supervisor = Multiprocess(settings, sockets=[sock])
        supervisor.run()
    finally:
        sock.close()
    failed = any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes)
    return 1 if failed else 0
