"""``locus chat module:agent``: talk to an agent in the terminal.

Answers stream as they come, tool calls show on one line each, ``/new`` starts a new
thread, ``/thread ID`` continues one, ``/exit`` (or Ctrl-D) leaves, and Ctrl-C cancels
the run in progress (not the session). Line editing and history come from
``prompt_toolkit`` (``pip install 'locus-oci[chat]'``).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None, prog: str = "locus chat") -> int:
    """The ``locus chat`` command."""
    from locus.chat._cli import run_cli

    return run_cli(argv, prog)
