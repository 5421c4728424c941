"""``locus chat`` in a pseudo-terminal, on an agent talking to the emulator over HTTP."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect

from locus.emulator import Emulator

ROOT = Path(__file__).resolve().parents[3]
TARGET = "tests.integration.serve.emulator_agent:agent"


def _spawn(
    emulator_json: Path,
    target: str = TARGET,
    extra_env: dict[str, str] | None = None,
    *args: str,
) -> pexpect.spawn:
    env = {**os.environ, "LOCUS_TEST_EMULATOR": str(emulator_json), "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("LOCUS_SERVE_TOKEN", None)
    env.update(extra_env or {})
    return pexpect.spawn(
        sys.executable,
        ["-m", "locus.cli", "chat", target, *args],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 160),
    )


def test_two_turns_are_answered_on_one_thread(emulator_json: Path, emu: Emulator) -> None:
    child = _spawn(emulator_json)
    try:
        child.expect("locus chat with")
        child.expect("you>")
        child.sendline("Use the add_two_numbers tool to add 1 and 1.")
        child.expect("→ 2")
        child.expect("is 2")  # the first answer
        child.expect("you>")
        child.sendline("Use the add_two_numbers tool to add 7 and 35.")
        child.expect(r"⚙ add_two_numbers\(a=7, b=35\)")  # the call, on one line
        child.expect("→ 42")  # its result
        child.expect("is 42")  # the answer
        child.expect("you>")
        child.sendline("/new")
        child.expect(r"\[new thread chat-")
        child.expect("you>")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_ctrl_c_cancels_a_long_run_not_the_session(emulator_json: Path, emu: Emulator) -> None:
    child = _spawn(emulator_json)
    try:
        child.expect("you>")
        emu.set_latency(latency=30.0)  # the model takes 30 s to say its first word
        child.sendline("What model are you?")
        child.expect(r"agent[-\w.]*> ")  # the answer's prefix: the run has started
        child.sendintr()
        child.expect(r"\[cancelled\]", timeout=10)
        child.expect("you>")
        emu.set_latency(latency=0.0)
        child.sendline("Use the add_two_numbers tool to add 1 and 2.")
        child.expect("→ 3")
        child.expect("you>")
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_a_sub_agents_tool_call_prints_indented_with_its_name(
    emulator_json: Path, emu: Emulator
) -> None:
    child = _spawn(emulator_json, "tests.integration.serve.emulator_agent:desk_agent")
    try:
        child.expect("you>")
        child.sendline("Use clerk: how many pens are in stock?")
        child.expect(r"\r\n  ⚙ clerk\(input=")  # the desk's call
        child.expect(r"\r\n      ⚙ clerk › stock\(item=")  # the clerk's, under it
        child.expect(r"\r\n        → 12\r\n    → The result of stock is 12\.")
        child.expect("you>")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_a_sub_agents_call_is_approved_at_the_prompt_naming_the_agent(
    emulator_json: Path, emu: Emulator
) -> None:
    """The clerk's gated call pauses the desk's run; ``locus chat`` asks for it with the
    asking agent's name, and the approved call runs inside the desk's call to the clerk."""
    child = _spawn(emulator_json, "tests.integration.serve.emulator_agent:gated_desk_agent")
    try:
        child.expect("you>")
        child.sendline("Use clerk: delete the file /tmp/x")
        child.expect(r"approve clerk › delete_file\(\{\"path\": \"x\"\}\)\? \[y/N\]")
        child.sendline("y")
        child.expect(r"⚙ clerk › delete_file\(path=")  # the approved call runs in the clerk
        child.expect(r"The result of delete_file is deleted x")
        child.expect("you>")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_ctrl_c_at_an_approval_question_leaves_the_run_waiting_and_resume_asks_again(
    emulator_json: Path, emu: Emulator
) -> None:
    """Ctrl-C at ``[y/N]`` ends neither the session nor the run: nothing runs, a new prompt
    is not sent (the thread waits), and ``/resume`` asks again; approving runs the call."""
    child = _spawn(emulator_json, "tests.integration.serve.emulator_agent:operator_agent")
    try:
        child.expect("you>")
        child.sendline("Delete the file /tmp/x")
        child.expect(r"approve delete_file\(\{\"path\": \"[^\"]*\"\}\)\? \[y/N\]")
        child.sendintr()
        child.expect(r"\[the run waits for approval on thread chat-\w+; nothing ran: /resume")
        child.expect("you>")
        child.sendline("Use the add_two_numbers tool to add 1 and 2.")
        child.expect(r"has a run waiting for approval of delete_file: /resume to answer it")
        child.expect("you>")
        child.sendline("/resume")
        child.expect(r"approve delete_file\(\{\"path\": \"[^\"]*\"\}\)\? \[y/N\]")
        child.sendline("y")
        child.expect(r"→ deleted ")  # the approved call ran, once
        child.expect("you>")
        child.sendline("/resume")
        child.expect(r"has no run waiting for approval")
        child.expect("you>")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_ctrl_d_at_an_approval_question_then_abandon_frees_the_thread(
    emulator_json: Path, emu: Emulator
) -> None:
    child = _spawn(emulator_json, "tests.integration.serve.emulator_agent:operator_agent")
    try:
        child.expect("you>")
        child.sendline("Delete the file /tmp/x")
        child.expect(r"\? \[y/N\]")
        child.sendeof()
        child.expect(r"\[the run waits for approval on thread")
        child.expect("you>")
        child.sendline("/abandon")
        child.expect(r"\[dropped the run waiting on thread chat-\w+; its calls never ran\]")
        child.expect("you>")
        child.sendline("/abandon")
        child.expect(r"has no run waiting for approval")
        child.expect("you>")
        child.sendline("Delete the file /tmp/y")  # the thread takes prompts again
        child.expect(r"\? \[y/N\]")
        child.sendline("n")
        child.expect("you>")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "deleted" not in (child.before or "")


def test_a_thread_left_waiting_is_answered_in_a_later_chat(
    emulator_json: Path, emu: Emulator, tmp_path: Path
) -> None:
    """A chat that leaves with a call waiting (threads in SQLite): ``locus chat --thread ID``
    later says the thread waits, and ``/resume`` runs the call, once, in the new process."""
    ran = tmp_path / "ran.txt"
    extra = {
        "LOCUS_TEST_THREADS": f"sqlite:///{tmp_path / 'threads.db'}",
        "LOCUS_TEST_RAN": str(ran),
    }
    target = "tests.integration.serve.emulator_agent:shared_operator"
    first = _spawn(emulator_json, target, extra)
    try:
        first.expect(r"on thread (chat-\w+)\.")
        thread = first.match.group(1)
        first.expect("you>")
        first.sendline("Delete the file /tmp/x")
        first.expect(r"\? \[y/N\]")
        first.sendeof()
        first.expect("you>")
        first.sendeof()
        first.expect(pexpect.EOF)
    finally:
        first.close(force=True)
    assert not ran.exists()  # nothing ran
    second = _spawn(emulator_json, target, extra, "--thread", thread)
    try:
        second.expect(rf"\[thread {thread} has a run waiting for approval of delete_file")
        second.expect("you>")
        second.sendline("/resume")
        second.expect(r"\? \[y/N\]")
        second.sendline("y")
        second.expect(r"→ deleted ")
        second.expect("you>")
        second.sendline("/exit")
        second.expect(pexpect.EOF)
    finally:
        second.close(force=True)
    assert second.exitstatus == 0
    assert len(ran.read_text().splitlines()) == 1
