"""The ``locus`` command: ``locus emulator ...``, ``locus doctor ...``, ``locus --version``.

It also holds what the subcommands share: argument types that refuse a bad port or a
negative number as a usage error, and one-line messages for a port that cannot be bound
or user code that raised while it was loaded.
"""

from __future__ import annotations

import argparse
import errno
import math
import os
import socket
import sys
import traceback
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import TextIO

from locus._extras import MissingExtra

__all__ = ["main"]

_COMMANDS: dict[str, tuple[str, str]] = {
    "emulator": ("locus.emulator.cli", "run the local OCI Generative AI emulator"),
    "doctor": ("locus.doctor", "check an OCI profile or principal and make one signed call"),
    "serve": ("locus.serve._cli", "serve agents over HTTP (OpenAI-compatible, AG-UI, A2A, chat)"),
    "chat": ("locus.chat", "chat with an agent in the terminal (locus chat module:agent)"),
    "mcp": ("locus.mcp._cli", "serve @tools or an agent over MCP (locus mcp serve module:obj)"),
    "worker": ("locus.durable.temporal._worker", "durable agent runs on Temporal (module:agent)"),
    "eval": ("locus.evals._cli", "run an evaluation dataset against an agent (docs/evals.md)"),
}

LOG_LEVELS = ["critical", "error", "warning", "info", "debug", "trace"]
"""The ``--log-level`` values uvicorn knows (``trace`` is its own, below ``debug``)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to a subcommand; each one owns its own arguments."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["-V"], ["--version"]):
        from locus import __version__

        print(f"locus {__version__}")
        return 0
    if args[:1] in (["-h"], ["--help"]):
        _usage(sys.stdout)
        return 0
    if not args:
        _usage(sys.stderr)
        return 2
    name, rest = args[0], args[1:]
    if name not in _COMMANDS:
        kind = "option" if name.startswith("-") else "command"
        print(f"locus: unknown {kind} {name!r}", file=sys.stderr)
        _usage(sys.stderr)
        return 2
    try:
        entry: Callable[..., int | None] = import_module(_COMMANDS[name][0]).main
    except MissingExtra as exc:  # e.g. locus emulator without the emulator extra
        print(f"locus {name}: {exc}", file=sys.stderr)
        return 2
    try:
        return entry(rest, prog=f"locus {name}") or 0
    except KeyboardInterrupt:  # Ctrl-C before a command set up its own handling
        print(file=sys.stderr)
        return 130


def _usage(out: TextIO) -> None:
    lines = ["usage: locus [--version] <command> [options]", "", "commands:"]
    lines += [f"  {name:<10} {text}" for name, (_, text) in _COMMANDS.items()]
    lines += ["", "locus <command> --help shows a command's options and an example."]
    print("\n".join(lines), file=out)


def port(text: str) -> int:
    """An argparse type: a TCP port, 0 (any free one) to 65535."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(
            f"{number} is not a port: give 1-65535, or 0 for any free one"
        )
    return number


def seconds(text: str) -> float:
    """An argparse type: a finite number of seconds, 0 or more."""
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(number) or number < 0:
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds, 0 or more")
    return number


def positive(text: str) -> int:
    """An argparse type: a whole number, 1 or more."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} is not 1 or more")
    return number


def check_listen(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on, or ``None`` when it can: bound (as uvicorn
    binds it) and closed again to find out."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        return listen_error(exc, host, port)
    except UnicodeError:  # a host name no DNS label can spell
        return listen_error(socket.gaierror(), host, port)
    return None


def listen_error(exc: OSError, host: str, port: int) -> str:
    """One line on why binding ``host:port`` failed, and what to do."""
    where = f"cannot listen on {host}:{port}"
    if isinstance(exc, socket.gaierror):
        return f"cannot listen on {host}: no such address (check --host)"
    if exc.errno == errno.EADDRINUSE:
        return f"{where}: the port is in use (pick another --port, or 0 for any free one)"
    if exc.errno == errno.EACCES:
        return f"{where}: permission denied (ports below 1024 need privileges)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{where}: no interface of this machine has that address (check --host)"
    return f"{where}: {exc.strerror or exc}"


def shadow_hint(module_name: str) -> str:
    """``"; ..."`` when the module imported by that name is not the file of that name in
    the current directory (a standard library or installed module came first), else ``""``."""
    top = module_name.partition(".")[0]
    mine = os.path.join(os.getcwd(), f"{top}.py")
    imported = getattr(sys.modules.get(top), "__file__", None)
    if not top or not os.path.isfile(mine) or not imported:
        return ""
    if os.path.abspath(imported) == mine:
        return ""
    return (
        f"; the {top!r} imported is {imported}, not ./{top}.py (a module of that name comes "
        f"first): rename ./{top}.py"
    )


def code_error(exc: BaseException) -> str:
    """A user's exception in one line: its type, message and where it was raised."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, SyntaxError):
        return text  # its message names the file and line already
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        where = frames[-1]
        name = where.filename
        if not os.path.isabs(name) or name.startswith(os.getcwd() + os.sep):
            name = os.path.relpath(name)
        text += f" (at {name}:{where.lineno})"
    return text


if __name__ == "__main__":
    raise SystemExit(main())
