"""The command line: ``python -m locus.emulator`` (and ``locus emulator``).

It writes the state directory, serves until SIGINT or SIGTERM, and writes
``DIR/emulator.json`` once it is listening.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from locus.cli import LOG_LEVELS, listen_error, port, seconds
from locus.emulator._catalogue import Catalogue, load_catalogue
from locus.emulator.routes import Service
from locus.emulator.server import (
    DEFAULT_REGION,
    EmulatorServer,
    Identity,
    bind,
    build_service,
    describe,
    prepare_state_dir,
    url_of,
    write_info,
)

__all__ = ["build_parser", "main"]

BACKEND_KEY_ENV = "LOCUS_EMULATOR_BACKEND_KEY"


_EXAMPLE = """example:
  %(prog)s --state-dir ./emu --port 0
then point a client at it with the files it writes: the OCI config ./emu/config (profile
DEFAULT), and the service endpoint and compartment in ./emu/emulator.json (docs/emulator.md).
"""


def build_parser(prog: str = "python -m locus.emulator") -> argparse.ArgumentParser:
    """The argument parser (shared with the ``locus emulator`` subcommand)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run a local OCI Generative AI inference service.",
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback)"
    )
    parser.add_argument(
        "--port", type=port, default=8080, help="port (default 8080; 0 picks a free one)"
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        required=True,
        metavar="DIR",
        help="where the key, the OCI config and emulator.json go (created if missing; required)",
    )
    parser.add_argument(
        "--catalogue", type=Path, metavar="FILE", help="JSON/YAML file extending the catalogue"
    )
    parser.add_argument(
        "--rules", type=Path, metavar="FILE", help="JSON/YAML rules file of scripted replies"
    )
    parser.add_argument(
        "--backend",
        type=_backend_url,
        metavar="URL",
        help=f"OpenAI-compatible base URL to forward to, e.g. http://127.0.0.1:11434/v1 "
        f"(its API key, if any, in ${BACKEND_KEY_ENV})",
    )
    parser.add_argument(
        "--backend-model",
        metavar="NAME",
        help="model name to ask the backend for (default: the requested one)",
    )
    parser.add_argument(
        "--latency",
        type=seconds,
        default=0.0,
        metavar="SECONDS",
        help="seconds from a chat request's arrival to its first byte (default 0)",
    )
    parser.add_argument(
        "--region", default=DEFAULT_REGION, help=f"the emulated region (default {DEFAULT_REGION})"
    )
    parser.add_argument(
        "--log-level", default="info", choices=LOG_LEVELS, help="uvicorn log level (default info)"
    )
    return parser


def _backend_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a URL: give the backend's base URL, e.g. http://127.0.0.1:11434/v1"
        )
    return text


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m locus.emulator") -> int:
    """Run the emulator until interrupted; returns the process exit code.

    ``prog`` names the command in usage and errors (``locus emulator`` from ``locus``).
    """
    args = build_parser(prog).parse_args(argv)
    if args.state_dir.exists() and not args.state_dir.is_dir():
        print(f"{prog}: --state-dir {args.state_dir} is a file, not a directory", file=sys.stderr)
        return 2
    try:
        catalogue = load_catalogue(args.catalogue, args.region)
        identity = prepare_state_dir(args.state_dir, args.region)
        service = build_service(
            identity,
            catalogue,
            latency=args.latency,
            rules=args.rules,
            backend=args.backend,
            backend_model=args.backend_model,
            backend_api_key=os.environ.get(BACKEND_KEY_ENV),
        )
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        print(f"{prog}: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(f"{prog}: {listen_error(exc, args.host, args.port)}", file=sys.stderr)
        return 1
    _serve(sock, args, service, identity, catalogue)
    return 0


def _serve(
    sock: socket.socket,
    args: argparse.Namespace,
    service: Service,
    identity: Identity,
    catalogue: Catalogue,
) -> None:
    url = url_of(sock)

    def announce() -> None:
        write_info(args.state_dir, describe(url, identity, catalogue))
        print(f"locus emulator listening on {url} (state in {args.state_dir})")
        config = args.state_dir / identity.config_file.name
        print(
            f"point a client at it: OCI config {config} (profile {identity.profile}), "
            f"service endpoint {url}, compartment {identity.compartment_id}; all in "
            f"{args.state_dir / 'emulator.json'}",
            flush=True,
        )

    server = EmulatorServer(service, args.log_level, on_started=announce, configure_logging=True)
    server.run(sockets=[sock])
