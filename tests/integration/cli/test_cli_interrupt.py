"""Ctrl-C (SIGINT) at each ``locus`` command, run for real: while it loads the user's
module, while it serves, at an idle chat prompt. A clean exit, never a traceback."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from locus.emulator.server import prepare_state_dir
from tests.deadlines import read_line
from tests.unit.cli._locus import ECHO_AGENT, clean_env

SLOW = "import threading\n\nprint('importing', flush=True)\nthreading.Event().wait()\n"
"""A module whose import never ends (a user's module waiting on a network, say)."""

TOOLS = """from locus.tools import tool


@tool
def add(a: int, b: int) -> int:
    '''Add.'''
    return a + b


TOOLS = [add]
"""


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    (tmp_path / "slow.py").write_text(SLOW)
    (tmp_path / "shop_tools.py").write_text(TOOLS)
    (tmp_path / "echo_agent.py").write_text(ECHO_AGENT)
    return tmp_path


def _start(cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "locus.cli", *args],
        cwd=cwd,
        env=clean_env(cwd),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _interrupt(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """SIGINT, then the exit status and what was said on stderr."""
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    return proc.returncode, err


@pytest.mark.parametrize("command", ["serve", "chat", "mcp serve"])
def test_ctrl_c_while_the_module_loads_exits_130_quietly(scratch: Path, command: str) -> None:
    proc = _start(scratch, *command.split(), "slow:agent")
    try:
        assert proc.stdout is not None
        assert read_line(proc.stdout, "the module says it is importing") == "importing\n"
        status, err = _interrupt(proc)
    finally:
        proc.kill()
    assert status == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_ctrl_c_stops_mcp_serve_over_stdio_cleanly(scratch: Path) -> None:
    proc = _start(scratch, "mcp", "serve", "shop_tools:TOOLS")
    try:
        assert proc.stdin is not None and proc.stdout is not None
        hello = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "test", "version": "1"},
            },
        }
        proc.stdin.write(json.dumps(hello) + "\n")
        proc.stdin.flush()
        answer = read_line(proc.stdout, "the MCP server answers initialize")
        assert json.loads(answer)["id"] == 1  # it is serving
        status, err = _interrupt(proc)
    finally:
        proc.kill()
    assert status == 0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_ctrl_c_stops_mcp_serve_over_http_cleanly(scratch: Path) -> None:
    proc = _start(scratch, "mcp", "serve", "shop_tools:TOOLS", "--transport", "http", "--port", "0")
    try:
        assert proc.stderr is not None
        told = read_line(proc.stderr, "the MCP server says where it listens")
        assert told.startswith("MCP server on http://127.0.0.1:")
        status, err = _interrupt(proc)
    finally:
        proc.kill()
    assert status == 0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_ctrl_c_at_an_idle_chat_prompt_clears_the_line_and_stays(scratch: Path) -> None:
    env = {**clean_env(scratch), "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "locus.cli", "chat", "echo_agent:agent"],
        cwd=str(scratch),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 160),
    )
    try:
        child.expect("locus chat with echo")
        child.expect("you>")
        child.send("half a question")
        child.expect("half a question")  # on the prompt's line
        child.sendintr()  # at the prompt: the line is dropped, the session goes on
        child.expect("you>")
        child.sendline("hello there")
        child.expect("echo> ")
        child.expect("hello there")  # the echo model's answer
        child.expect("you>")
        child.sendintr()  # at an empty prompt: nothing to drop, the session goes on
        child.sendline("/exit")  # a line typed between two prompts waits for the next
        child.expect(pexpect.EOF)
        seen = child.before or ""
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "Traceback" not in seen


def test_ctrl_c_while_doctor_waits_for_its_signed_call_exits_130_quietly(tmp_path: Path) -> None:
    """The endpoint accepts the connection and never answers: Ctrl-C ends the wait."""
    identity = prepare_state_dir(tmp_path / "emu", "us-chicago-1")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        silent.settimeout(60)
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
        proc = _start(
            tmp_path,
            *("doctor", "--config-file", "emu/config", "--service-endpoint", endpoint),
            *("--compartment-id", identity.compartment_id),
        )
        try:
            connection, _ = silent.accept()  # the signed call is under way
            with connection:
                status, err = _interrupt(proc)
        finally:
            proc.kill()
    assert status == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
