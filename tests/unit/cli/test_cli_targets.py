"""``locus serve``, ``locus chat`` and ``locus mcp serve`` pointed at the wrong thing, or
at a port they cannot have: one line on stderr, exit 2 for a usage error and 1 for a
failure (the user's own code raising), never a traceback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.cli._locus import ECHO_AGENT, locus, mistake

COMMANDS = ["serve", "chat", "mcp serve"]


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A directory of modules a user might point the commands at."""
    (tmp_path / "echo_agent.py").write_text(ECHO_AGENT)
    (tmp_path / "values.py").write_text("x = 42\n")
    (tmp_path / "typo.py").write_text("def f(:\n")
    (tmp_path / "factory.py").write_text("def make():\n    raise RuntimeError('no key')\n")
    return tmp_path


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@pytest.mark.parametrize("command", COMMANDS)
def test_a_module_with_a_syntax_error_is_one_line(scratch: Path, command: str) -> None:
    line = mistake(locus(scratch, *command.split(), "typo:f"), 1)
    assert line.endswith("loading typo:f failed: SyntaxError: invalid syntax (typo.py, line 1)")


@pytest.mark.parametrize("command", ["serve", "chat"])
def test_a_factory_that_raises_is_one_line_with_where(scratch: Path, command: str) -> None:
    line = mistake(locus(scratch, command, "factory:make"), 1)
    assert line == (
        f"locus {command}: loading factory:make failed: RuntimeError: no key (at factory.py:2)"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_that_is_not_there_is_named(scratch: Path, command: str) -> None:
    line = mistake(locus(scratch, *command.split(), "agents/support.py:agent"), 2)
    assert line.endswith("'agents/support.py:agent': there is no file agents/support.py")


@pytest.mark.parametrize("command", ["serve", "chat"])
def test_an_object_that_is_not_an_agent_is_refused(scratch: Path, command: str) -> None:
    line = mistake(locus(scratch, command, "values:x"), 2)
    assert line.startswith(f"locus {command}: values:x is an int, not an agent: point at")


def test_mcp_serve_takes_a_file_path_like_serve(scratch: Path) -> None:
    """``./values.py:x`` was a TypeError traceback (a relative import of './values.py')."""
    line = mistake(locus(scratch, "mcp", "serve", "./values.py:x"), 2)
    assert line == (
        "locus mcp: cannot serve 42 over MCP: give a list of @tool functions, a tool or an Agent"
    )


@pytest.mark.parametrize("command", ["serve", "mcp serve --transport http"])
def test_a_port_out_of_range_is_a_usage_error(scratch: Path, command: str) -> None:
    """``locus serve --port 99999`` served on port 34463 (99999 - 65536)."""
    done = locus(scratch, *command.split(), "echo_agent:agent", "--port", "99999", timeout=30)
    line = mistake(done, 2)
    assert line.endswith(
        "argument --port: 99999 is not a port: give 1-65535, or 0 for any free one"
    )


@pytest.mark.parametrize(
    ("command", "prog"), [("serve", "serve"), ("mcp serve --transport http", "mcp")]
)
def test_a_busy_port_is_one_line(scratch: Path, busy_port: int, command: str, prog: str) -> None:
    done = locus(scratch, *command.split(), "echo_agent:agent", "--port", str(busy_port))
    assert mistake(done, 1) == (
        f"locus {prog}: cannot listen on 127.0.0.1:{busy_port}: the port is in use "
        "(pick another --port, or 0 for any free one)"
    )


def test_mcp_serve_on_an_unknown_host_is_one_line(scratch: Path) -> None:
    args = ("mcp", "serve", "echo_agent:agent", "--transport", "http", "--host", "nosuch.invalid")
    token = {"LOCUS_MCP_TOKEN": "t"}  # (another host than loopback needs auth first)
    line = mistake(locus(scratch, *args, env=token), 1)
    assert line == "locus mcp: cannot listen on nosuch.invalid: no such address (check --host)"
    assert mistake(locus(scratch, *args), 2).startswith("locus mcp: serving tools on nosuch")


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--shutdown-timeout", "-5", "argument --shutdown-timeout: -5 is not a number of seconds"),
        ("--paused-ttl", "0", "argument --paused-ttl: 0 is not a number of seconds above 0"),
        ("--max-body-bytes", "-1", "argument --max-body-bytes: -1 is not 1 or more"),
        ("--max-concurrent-per-client", "0", "argument --max-concurrent-per-client: 0 is not 1"),
        ("--log-level", "loud", "argument --log-level: invalid choice: 'loud'"),
    ],
)
def test_serve_names_the_flag_of_a_bad_number(
    scratch: Path, option: str, value: str, said: str
) -> None:
    done = locus(scratch, "serve", "echo_agent:agent", "--port", "0", option, value, timeout=30)
    assert said in mistake(done, 2)


@pytest.mark.parametrize("origin", ["app.example.com", "https://app.example.com/"])
def test_serve_refuses_a_cors_origin_no_browser_sends(scratch: Path, origin: str) -> None:
    """A browser's Origin is scheme://host[:port]: these were accepted and never matched."""
    args = ("serve", "echo_agent:agent", "--port", "0", "--cors-origin", origin)
    line = mistake(locus(scratch, *args, timeout=30), 2)
    assert line.endswith(
        f"argument --cors-origin: {origin!r} is not an origin: give scheme://host[:port] as a "
        "browser sends it, with no path or trailing slash, e.g. https://app.example.com"
    )


def test_serve_on_an_unknown_host_is_one_line(scratch: Path) -> None:
    """With a token set, any host may be bound: one that does not resolve is named."""
    args = ("serve", "echo_agent:agent", "--host", "nosuch.invalid", "--port", "0")
    done = locus(scratch, *args, timeout=30, env={"LOCUS_SERVE_TOKEN": "a-test-token"})
    line = mistake(done, 1)
    assert line == "locus serve: cannot listen on nosuch.invalid: no such address (check --host)"


@pytest.mark.parametrize(("command", "prog"), [("serve", "serve"), ("mcp serve", "mcp")])
def test_a_file_named_like_a_standard_module_is_named_as_the_cause(
    scratch: Path, command: str, prog: str
) -> None:
    """./numbers.py loses to the standard library's numbers (imported before it): the
    'no attribute' error says which file was imported and what to do."""
    (scratch / "numbers.py").write_text(ECHO_AGENT)
    done = locus(scratch, *command.split(), "numbers:agent", as_script=True)
    line = mistake(done, 2)
    assert line.startswith(f"locus {prog}: ")
    assert "has no attribute 'agent'; the 'numbers' imported is " in line
    assert line.endswith(
        "not ./numbers.py (a module of that name comes first): rename ./numbers.py"
    )
