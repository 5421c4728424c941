"""``locus eval DATASET AGENT`` run for real in a scratch directory: an agent on the
emulator's DAC endpoints (started by the agent's module, as a user's module would build
its model), a dataset module, the report kept as JSON and compared with the next run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.cli._locus import locus, mistake

AGENTS = """from locus.agent import Agent
from locus.emulator import Emulator
from locus.models import get_model
from locus.tools import tool

emu = Emulator().start()


@tool
def forecast(city: str) -> str:
    '''Tell the weather forecast for a city.'''
    return f"Sunny in {city}"


@tool
def sunrise(city: str) -> str:
    '''Tell when the sun rises in a city.'''
    return f"06:50 in {city}"


def _agent(style: str, name: str) -> Agent:
    model = get_model(f"oci:{emu.endpoint(style)['ocid']}", **emu.model_options)
    return Agent(model, tools=[forecast, sunrise], name=name)


qwen = _agent("hermes", "qwen-dac")
gpt = _agent("native", "gpt-oss-dac")
"""

EVALS = """from locus.evals import Case, Contains, Dataset, ToolCalled

dataset = Dataset(
    [
        Case("paris", "What is the forecast for Paris?",
             evaluators=[ToolCalled("forecast", {"city": "Paris"}), Contains("Sunny")]),
        Case("identity", "Which model are you?", evaluators=[Contains("Qwen")]),
    ],
    name="weather",
)
"""


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    (tmp_path / "agents.py").write_text(AGENTS)
    (tmp_path / "weather_evals.py").write_text(EVALS)
    return tmp_path


def test_a_passing_run_keeps_its_report_and_a_regression_fails_the_next(scratch: Path) -> None:
    done = locus(scratch, "eval", "weather_evals:dataset", "agents:qwen", "--json", "good.json")
    assert done.returncode == 0, done.stderr
    assert "2 cases: 2 passed, 0 failed, 0 errored; pass rate 100.0%" in done.stdout
    kept = json.loads((scratch / "good.json").read_text())
    assert kept["label"] == "qwen-dac" and [c["name"] for c in kept["cases"]] == [
        "paris",
        "identity",
    ]

    done = locus(scratch, "eval", "weather_evals:dataset", "agents:gpt", "--compare", "good.json")
    assert "weather: qwen-dac -> gpt-oss-dac" in done.stdout
    assert "identity  passed  failed  Contains('Qwen'): True -> False" in done.stdout
    assert mistake(done, 1) == "locus eval: pass rate 50.0% is below --min-pass-rate 100.0%"
    assert "locus eval: passed in good.json, failing now: identity" in done.stderr


def test_the_least_pass_rate_is_the_users_to_set(scratch: Path) -> None:
    done = locus(scratch, "eval", "weather_evals:dataset", "agents:gpt", "--min-pass-rate", "0.5")
    assert done.returncode == 0, done.stderr
    assert "pass rate 50.0%" in done.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["nowhere:dataset", "agents:qwen"], "cannot import 'nowhere'"),
        (["missing.json", "agents:qwen"], "neither module:dataset nor a dataset file"),
        (["agents:qwen", "agents:qwen"], "is a Agent, not a locus.evals Dataset"),
        (["weather_evals:dataset", "weather_evals:dataset"], "not an agent"),
        (["weather_evals:dataset", "agents:forecast"], "is a Tool, not an agent"),
        (["weather_evals:dataset", "agents:qwen", "--min-pass-rate", "2"], "not a pass rate"),
    ],
)
def test_mistakes_are_one_line_with_status_2(scratch: Path, args: list[str], said: str) -> None:
    assert said in mistake(locus(scratch, "eval", *args), 2)
