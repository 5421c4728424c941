"""The command line: ``python -m locus.emulator`` (and ``locus emulator``).

It writes the state directory, serves until SIGINT or SIGTERM, and writes
``DIR/emulator.json`` once it is listening.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

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


def build_parser(prog: str = "python -m locus.emulator") -> argparse.ArgumentParser:
    """The argument parser (shared with the ``locus emulator`` subcommand)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run a local OCI Generative AI inference service.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=8080, help="port; 0 picks a free one")
    parser.add_argument("--state-dir", type=Path, required=True, help="key, config, emulator.json")
    parser.add_argument("--catalogue", type=Path, help="JSON/YAML file extending the catalogue")
    parser.add_argument("--rules", type=Path, help="JSON/YAML rules file of scripted replies")
    parser.add_argument("--backend", help="OpenAI-compatible base URL to forward to")
    parser.add_argument("--backend-model", help="model name to ask the backend for")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds from arrival to each answer"
    )
    parser.add_argument("--region", default=DEFAULT_REGION, help="the emulated region")
    parser.add_argument("--log-level", default="info", help="uvicorn log level")
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m locus.emulator") -> int:
    """Run the emulator until interrupted; returns the process exit code.

    ``prog`` names the command in usage and errors (``locus emulator`` from ``locus``).
    """
    args = build_parser(prog).parse_args(argv)
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
    except (OSError, ValueError) as exc:
        print(f"locus emulator: {exc}", file=sys.stderr)
        return 2
    _serve(args, service, identity, catalogue)
    return 0


def _serve(
    args: argparse.Namespace, service: Service, identity: Identity, catalogue: Catalogue
) -> None:
    sock = bind(args.host, args.port)
    url = url_of(sock)

    def announce() -> None:
        write_info(args.state_dir, describe(url, identity, catalogue))
        print(f"locus emulator listening on {url} (state in {args.state_dir})", flush=True)

    server = EmulatorServer(service, args.log_level, on_started=announce, configure_logging=True)
    server.run(sockets=[sock])
