"""``locus serve module:agent [--host 127.0.0.1] [--port 8000] [--ui]`` (uvicorn)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from locus._target import TargetFailed, load
from locus.cli import (
    LOG_LEVELS,
    check_listen,
    port,
    positive,
    seconds,
)
from locus.core.errors import ConfigurationError

__all__ = ["build_parser", "main"]

log = logging.getLogger("locus.serve")

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """The log lines of ``locus serve`` and of each of its workers: ``LEVEL name: text``."""
    logging.basicConfig(level=level.upper(), format=LOG_FORMAT)


_EXAMPLES = """examples:
  %(prog)s my_agents:support --ui             # http://127.0.0.1:8000, chat page at /
  %(prog)s my_agents:support my_agents:sales  # several agents, by their names
  %(prog)s agents.py:support --port 0         # a file's agent, on any free port
  LOCUS_SERVE_TOKEN=... %(prog)s my_agents:support --host 0.0.0.0 --port 8080
"""


def build_parser(prog: str = "locus serve") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve agents over HTTP: OpenAI-compatible chat completions, AG-UI "
        "event streams, A2A, threads and approvals (docs/serving.md).",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "targets",
        nargs="+",
        metavar="module:agent",
        help="an Agent (or a {name: agent} dict, or a factory) to serve, as module:name or "
        "path/file.py:name (the current directory is importable); several may be given",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; any other needs $LOCUS_SERVE_TOKEN set, "
        "the bearer token clients must send)",
    )
    parser.add_argument("--port", type=port, default=8000, help="port (default 8000; 0 = free)")
    parser.add_argument("--ui", action="store_true", help="serve the chat page at /")
    parser.add_argument(
        "--cors-origin",
        action="append",
        type=_origin,
        default=[],
        metavar="ORIGIN",
        help="allow browser calls from ORIGIN (repeatable; CORS is off by default)",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=positive,
        default=1_000_000,
        metavar="BYTES",
        help="largest request body accepted (default 1000000)",
    )
    parser.add_argument(
        "--max-concurrent-per-client",
        type=positive,
        default=64,
        metavar="N",
        help="runs one client may have going at once (default 64)",
    )
    parser.add_argument(
        "--shutdown-timeout",
        type=seconds,
        metavar="SECONDS",
        default=30.0,
        help="seconds running streams get to finish on shutdown (default 30)",
    )
    parser.add_argument(
        "--paused-ttl",
        type=_ttl,
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
    parser.add_argument(
        "--log-level", default="info", choices=LOG_LEVELS, help="log level (default info)"
    )
    return parser


def _origin(text: str) -> str:
    """An argparse type: an origin as a browser sends it (``scheme://host[:port]``)."""
    parts = urlsplit(text)
    if text != "*" and (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.path
        or parts.query
        or parts.fragment
    ):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an origin: give scheme://host[:port] as a browser sends it, "
            "with no path or trailing slash, e.g. https://app.example.com"
        )
    return text


def _ttl(text: str) -> float:
    number = seconds(text)
    if number == 0:
        raise argparse.ArgumentTypeError("0 is not a number of seconds above 0")
    return number


def load_agents(targets: Sequence[str]) -> Any:
    """What ``create_app`` serves: the one target's object, or the agents of several by name."""
    from locus.serve._agents import AgentTable

    if len(targets) == 1:
        return load(targets[0])
    table: dict[str, Any] = {}
    for spec in targets:
        loaded = load(spec)
        for name, agent in AgentTable(loaded).agents.items():
            if name in table:
                raise ConfigurationError(f"two agents are named {name!r}: give them names")
            table[name] = agent
    return table


def main(argv: Sequence[str] | None = None, prog: str = "locus serve") -> int:
    args = build_parser(prog).parse_args(argv)
    configure_logging(args.log_level)
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
        app.state.served.owns_stores = True  # (this process is ours: stores close at the end)
    except ConfigurationError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    except TargetFailed as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 1
    problem = check_listen(args.host, args.port)
    if problem:
        print(f"{prog}: {problem}", file=sys.stderr)
        return 1
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
