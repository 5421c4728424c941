"""``locus serve module:agent [--host 127.0.0.1] [--port 8000] [--ui]`` (uvicorn)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from locus.core.errors import ConfigurationError

__all__ = ["build_parser", "main"]

log = logging.getLogger("locus.serve")


def build_parser(prog: str = "locus serve") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve agents over HTTP: OpenAI-compatible chat completions, AG-UI "
        "event streams, threads and approvals (docs/serving.md).",
    )
    parser.add_argument(
        "targets",
        nargs="+",
        metavar="module:agent",
        help="an Agent (or a {name: agent} dict, or a factory) to serve; several may be given",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = free)")
    parser.add_argument("--ui", action="store_true", help="serve the chat page at /")
    parser.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow browser calls from ORIGIN (repeatable; CORS is off by default)",
    )
    parser.add_argument("--max-body-bytes", type=int, default=1_000_000)
    parser.add_argument("--max-concurrent-per-client", type=int, default=64)
    parser.add_argument(
        "--shutdown-timeout",
        type=float,
        default=30.0,
        help="seconds running streams get to finish on shutdown (default 30)",
    )
    parser.add_argument(
        "--paused-ttl",
        type=float,
        default=86_400.0,
        metavar="SECONDS",
        help="how long a completion without a thread that paused for approval waits for "
        "it before it is removed (default 86400, a day; runs paused on a named thread "
        "never expire)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="serving processes sharing the port (default 1; threads across them need a "
        "shared thread store: docs/serving.md)",
    )
    parser.add_argument(
        "--forwarded-allow-ips",
        default=None,
        metavar="ADDRESSES",
        help="comma-separated addresses and CIDR networks of the proxies (load balancers) "
        "trusted to name the client in X-Forwarded-For; '*' trusts every peer, which lets "
        "any client claim any address (default: $FORWARDED_ALLOW_IPS, else 127.0.0.1,::1)",
    )
    parser.add_argument("--log-level", default="info")
    return parser


def load_agents(targets: Sequence[str]) -> Any:
    """What ``create_app`` serves: the one target's object, or the agents of several by name."""
    from locus.serve._agents import AgentTable
    from locus.serve._target import load_target

    if len(targets) == 1:
        return load_target(targets[0])
    table: dict[str, Any] = {}
    for spec in targets:
        loaded = load_target(spec)
        for name, agent in AgentTable(loaded).agents.items():
            if name in table:
                raise ConfigurationError(f"two agents are named {name!r}: give them names")
            table[name] = agent
    return table


def main(argv: Sequence[str] | None = None, prog: str = "locus serve") -> int:
    args = build_parser(prog).parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        from locus.serve._app import TOKEN_ENV, create_app
        from locus.serve._guard import is_loopback
        from locus.serve._uvicorn import serve
    except ImportError as exc:
        print(f"{prog}: {exc.name} is missing: pip install 'locus-oci[serve]'", file=sys.stderr)
        return 2
    if not os.environ.get(TOKEN_ENV) and not is_loopback(args.host):
        print(
            f"{prog}: refusing to listen on {args.host} without auth: set {TOKEN_ENV} "
            "(or bind 127.0.0.1)",
            file=sys.stderr,
        )
        return 2
    if args.workers < 1:
        print(f"{prog}: --workers must be at least 1, not {args.workers}", file=sys.stderr)
        return 2
    options = _options(args)
    try:
        trusted = _trusted(args.forwarded_allow_ips, bool(os.environ.get(TOKEN_ENV)))
        app = create_app(load_agents(args.targets), **options)
    except ConfigurationError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    if args.workers > 1:
        return _serve_workers(args, app, options, trusted)
    serve(
        app,
        args.host,
        args.port,
        log_level=args.log_level,
        shutdown_timeout=args.shutdown_timeout,
        forwarded_allow_ips=trusted,
    )
    return 0


def _trusted(flag: str | None, auth: bool) -> list[str]:
    """The proxies trusted to name the client (``_proxies``); ``*`` only with auth on,
    since without it any client could claim a loopback address and be served."""
    from locus.serve._app import TOKEN_ENV
    from locus.serve._proxies import TRUSTED_ENV, trusted_proxies

    trusted = trusted_proxies(flag)
    if trusted == ["*"]:
        if not auth:
            raise ConfigurationError(
                f"refusing to trust every proxy ('*', from --forwarded-allow-ips or "
                f"{TRUSTED_ENV}) without auth: any client could claim a loopback address; "
                f"list the proxies' addresses or networks, or set {TOKEN_ENV}"
            )
        log.warning(
            "forwarded-allow-ips '*': every peer may name the client in X-Forwarded-For, so "
            "the per-client limit keys on what clients claim; list your proxies instead"
        )
    return trusted


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "ui": args.ui,
        "cors_origins": args.cors_origin,
        "max_body_bytes": args.max_body_bytes,
        "max_concurrent_per_client": args.max_concurrent_per_client,
        "shutdown_timeout": args.shutdown_timeout,
        "paused_ttl": args.paused_ttl,
    }


def _serve_workers(
    args: argparse.Namespace, app: Any, options: dict[str, Any], trusted: list[str]
) -> int:
    """The agents were loaded here to check them; each worker loads its own."""
    from locus.serve._workers import memory_stores, serve_workers

    local = memory_stores(app.state.served.agents.agents)
    if local:
        log.warning(
            "--workers %d: %s keep threads in memory, so a thread continues, and a paused "
            "run resumes, only on the worker that started it; give them a shared thread "
            "store (docs/serving.md)",
            args.workers,
            local,
        )
    return serve_workers(
        list(args.targets),
        options,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        forwarded_allow_ips=trusted,
    )
