"""The ``locus`` command: ``locus emulator ...``, ``locus doctor ...``, ``locus --version``."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from importlib import import_module

__all__ = ["main"]

_COMMANDS: dict[str, tuple[str, str]] = {
    "emulator": ("locus.emulator.cli", "run the local OCI Generative AI emulator"),
    "doctor": ("locus.doctor", "check an OCI profile or principal and make one signed call"),
    "serve": ("locus.serve._cli", "serve agents over HTTP (OpenAI-compatible, AG-UI, chat page)"),
    "chat": ("locus.chat", "chat with an agent in the terminal (locus chat module:agent)"),
    "mcp": ("locus.mcp._cli", "serve @tools or an agent over MCP (locus mcp serve module:obj)"),
    "worker": ("locus.durable.temporal._worker", "durable agent runs on Temporal (module:agent)"),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to a subcommand; each one owns its own arguments."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["-V"], ["--version"]):
        from locus import __version__

        print(f"locus {__version__}")
        return 0
    if not args or args[0] in ("-h", "--help"):
        _usage()
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in _COMMANDS:
        print(f"locus: unknown command {name!r}", file=sys.stderr)
        _usage()
        return 2
    entry: Callable[..., int | None] = import_module(_COMMANDS[name][0]).main
    return entry(rest, prog=f"locus {name}") or 0


def _usage() -> None:
    print("usage: locus [--version] <command> [options]\n\ncommands:")
    for name, (_, text) in _COMMANDS.items():
        print(f"  {name:<10} {text}")


if __name__ == "__main__":
    raise SystemExit(main())
