"""The ``locus chat`` loop, on ``prompt_toolkit``.

prompt_toolkit gives line editing, history and Ctrl-C/Ctrl-D handling at the prompt, and
its ``prompt_async`` shares the asyncio loop the agent runs on; output between prompts is
plain text, so answers stream straight to the terminal (and into a pipe or a pty alike).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

from locus.core.errors import ConfigurationError

__all__ = ["run_cli"]


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Chat with an agent in the terminal.")
    parser.add_argument("target", metavar="module:agent", help="the Agent to talk to")
    parser.add_argument("--thread", help="continue this thread (default: a new one)")
    return parser


def run_cli(argv: Sequence[str] | None, prog: str) -> int:
    args = _parser(prog).parse_args(argv)
    try:
        from prompt_toolkit import PromptSession  # noqa: F401
    except ImportError:
        print(f"{prog}: prompt_toolkit is missing: pip install 'locus-oci[chat]'", file=sys.stderr)
        return 2
    from locus.serve._target import load_target

    try:
        agent = load_target(args.target)
    except ConfigurationError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    asyncio.run(_chat(agent, args.thread))
    return 0


async def _chat(agent: Any, thread: str | None) -> None:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import InMemoryHistory

    from locus.chat._session import HELP, ChatSession

    session = ChatSession(agent, sys.stdout)
    if thread:
        session.thread_id = thread
    name = getattr(agent, "name", None) or "agent"
    session.say(f"locus chat with {name} on thread {session.thread_id}. {HELP}")
    prompt: PromptSession[str] = PromptSession(history=InMemoryHistory())
    while True:
        try:
            line = await prompt.prompt_async("you> ")
        except KeyboardInterrupt:
            continue  # Ctrl-C at the prompt clears the line
        except EOFError:
            break
        if not line.strip():
            continue
        if line.startswith("/"):
            if not session.command(line):
                break
            continue
        result = await session.turn(line)
        while result is not None and getattr(result, "pending", None):
            result = await session.resume(await _ask(prompt, result.pending))
    close = getattr(agent, "aclose", None)
    if close is not None:
        await close()


async def _ask(prompt: Any, pending: Sequence[Any]) -> dict[str, Any]:
    from locus.agent import Approve, Deny

    decisions: dict[str, Any] = {}
    for call in pending:
        arguments = json.dumps(call.arguments, ensure_ascii=False)
        asker = "".join(f"{name} › " for name in getattr(call, "path", ()))  # a sub-agent's
        answer = await prompt.prompt_async(f"approve {asker}{call.tool}({arguments})? [y/N] ")
        approved = answer.strip().lower() in ("y", "yes")
        decisions[call.id] = Approve() if approved else Deny("denied in locus chat")
    return decisions
