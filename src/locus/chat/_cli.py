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


_EXAMPLES = """examples:
  %(prog)s my_agents:support                  # an Agent (or a factory) in my_agents.py
  %(prog)s agents.py:support --thread chat-3f2a9c1d7e4b

at the prompt: /new, /thread ID, /resume, /abandon, /exit (or Ctrl-D); Ctrl-C cancels a
run in progress, not the session.
"""


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Chat with an agent in the terminal.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "target",
        metavar="module:agent",
        help="the Agent (or a factory of one) to talk to, as module:name or path/file.py:name "
        "(the current directory is importable)",
    )
    parser.add_argument("--thread", metavar="ID", help="continue this thread (default: a new one)")
    return parser


def run_cli(argv: Sequence[str] | None, prog: str) -> int:
    args = _parser(prog).parse_args(argv)
    try:
        from prompt_toolkit import PromptSession  # noqa: F401
    except ImportError:
        print(f"{prog}: prompt_toolkit is missing: pip install 'locus-oci[chat]'", file=sys.stderr)
        return 2
    from locus._target import TargetFailed, load

    try:
        agent = load(args.target, mapping=False)
    except ConfigurationError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    except TargetFailed as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 1
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
    prompt: Any = PromptSession(history=InMemoryHistory()) if sys.stdin.isatty() else _LinePrompt()
    if thread:
        await session.announce_waiting()
    while True:
        try:
            line = await prompt.prompt_async("you> ")
        except KeyboardInterrupt:
            continue  # Ctrl-C at the prompt clears the line
        except EOFError:
            break
        if not await _line(session, prompt, line):
            break
    close = getattr(agent, "aclose", None)
    if close is not None:
        await close()


class _LinePrompt:
    """``PromptSession.prompt_async`` for a stdin that is not a terminal (``locus chat`` fed by
    a pipe or a file): the prompt is written as it is, a line is read as it comes (no
    editing, no redrawing, no "Input is not a terminal" warning), ``EOFError`` at the end."""

    async def prompt_async(self, message: str) -> str:
        sys.stdout.write(message)
        sys.stdout.flush()
        line: str = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            sys.stdout.write("\n")
            raise EOFError
        if not line.endswith("\n"):
            line += "\n"
        sys.stdout.write(line)  # the input shown after its prompt, as at a terminal
        return line.rstrip("\r\n")


async def _line(session: Any, prompt: Any, line: str) -> bool:
    """Handle one line typed at ``you>``; ``False`` means leave."""
    if not line.strip():
        return True
    if line.startswith("/"):
        return await _command(session, prompt, line)
    if await session.announce_waiting():
        return True  # a new prompt would be refused: the thread waits for approval
    await _approve_all(session, prompt, await session.turn(line))
    return True


async def _command(session: Any, prompt: Any, line: str) -> bool:
    """Handle a ``/command``; ``False`` means leave."""
    from locus.chat._session import HELP, new_thread_id

    name, _, argument = line.strip().partition(" ")
    if name in ("/exit", "/quit"):
        return False
    if name == "/new":
        session.thread_id = new_thread_id()
        session.say(f"[new thread {session.thread_id}]")
    elif name == "/thread" and argument.strip():
        session.thread_id = argument.strip()
        session.say(f"[thread {session.thread_id}]")
        await session.announce_waiting()
    elif name == "/resume":
        state = await session.waiting()
        if state is None or not state.pending:
            session.say(f"[thread {session.thread_id} has no run waiting for approval]")
        else:
            await _approve_all(session, prompt, state)
    elif name == "/abandon":
        await session.abandon()
    else:
        session.say(HELP)
    return True


async def _approve_all(session: Any, prompt: Any, result: Any) -> None:
    """Ask for the pending calls of ``result`` (a paused run's result or state) and resume,
    as long as runs pause; Ctrl-C or Ctrl-D at a question leaves the run waiting."""
    while result is not None and getattr(result, "pending", None):
        try:
            approvals = await _ask(prompt, result.pending)
        except (KeyboardInterrupt, EOFError):
            session.say(
                f"\n[the run waits for approval on thread {session.thread_id}; nothing ran: "
                "/resume to answer it, /abandon to drop it]"
            )
            return
        result = await session.resume(approvals)


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
