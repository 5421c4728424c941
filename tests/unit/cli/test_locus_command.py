"""The ``locus`` command names its subcommands as the user typed them."""

from __future__ import annotations

import pytest

from locus.cli import main


@pytest.mark.parametrize("command", ["emulator", "doctor"])
def test_subcommand_help_names_the_locus_command(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: locus {command} ")


def test_the_module_form_keeps_its_own_name(capsys: pytest.CaptureFixture[str]) -> None:
    from locus.emulator.cli import main as emulator_main

    with pytest.raises(SystemExit):
        emulator_main(["--help"])
    assert capsys.readouterr().out.startswith("usage: python -m locus.emulator ")


def test_an_unknown_command_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulater"]) == 2
    captured = capsys.readouterr()
    assert "unknown command 'emulater'" in captured.err and "doctor" in captured.err
    assert captured.out == ""  # the usage of a mistake goes to stderr
