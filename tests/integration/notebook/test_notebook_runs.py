"""Run the seed notebook as a user would, against the embedded emulator, and read its output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from locus.emulator import Emulator
from tests.conftest import REPO_ROOT

NOTEBOOK = REPO_ROOT / "examples" / "notebook_04_oci_dac.py"
LONDON_DAC = "ocid1.generativeaiendpoint.oc1.uk-london-1.amaaaaaaexampleuniqueid"
COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaexampleuniqueid"


def _run_process(
    *args: str, env: dict[str, str] | None = None, pythonpath: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The notebook run in a process of its own, with no ``OCI_*`` variable but ``env``'s."""
    child = {k: v for k, v in os.environ.items() if not k.startswith("OCI_")} | (env or {})
    if pythonpath is not None:
        child["PYTHONPATH"] = pythonpath
    return subprocess.run(
        [sys.executable, str(NOTEBOOK), *args],
        env=child,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
        check=False,
    )


def _run(*args: str, env: dict[str, str] | None = None, pythonpath: str | None = None) -> str:
    proc = _run_process(*args, env=env, pythonpath=pythonpath)
    assert proc.returncode == 0, proc.stderr
    # a clean run leaves nothing open: no "Unclosed client session/connector" at exit
    assert "Unclosed" not in proc.stderr, proc.stderr
    return proc.stdout


def _part(output: str, number: int) -> str:
    chunks = re.split(r"=== Part (\d)", output)
    parts = {int(chunks[i]): chunks[i + 1] for i in range(1, len(chunks), 2)}
    return parts[number]


@pytest.fixture(scope="module")
def output() -> str:
    return _run()


def test_says_it_uses_the_emulator(output: str) -> None:
    first = output.splitlines()[0]
    assert "emulator" in first and "http://127.0.0.1:" in first


def test_part1_routing_table(output: str) -> None:
    part = _part(output, 1)
    assert "ocid1.generativeaiendpoint.<region>....  -> OCIModel (native OCI chat API)" in part
    assert "-> OCIChatCompletionsModel" in part
    # Locus signs the requests itself: the oci SDK is not its client
    assert "OCI SDK" not in part
    assert "Locus signs the\nrequests itself" in part


def test_part2_agent_on_ocimodel(output: str) -> None:
    part = _part(output, 2)
    assert "underlying model class: OCIModel" in part
    # the region is the one the model took from the emulator's endpoint OCID
    assert "Agent configured against DAC endpoint in us-chicago-1." in part
    assert re.search(r"service endpoint: http://127\.0\.0\.1:\d+\n", part), part


def test_part3_complete_prints_reply_usage_stop_reason(output: str) -> None:
    part = _part(output, 3)
    reply = re.search(r"Reply: '(.+)'", part)
    assert reply and reply.group(1).strip()
    usage = re.search(r"usage: \{'prompt_tokens': (\d+), 'completion_tokens': (\d+)", part)
    assert usage and int(usage.group(1)) > 0 and int(usage.group(2)) > 0
    assert "stop_reason: stop" in part


def test_part4_streams_the_count(output: str) -> None:
    part = _part(output, 4)
    assert "1, 2, 3, 4, 5" in part


def test_part5_calls_the_tool_once_and_answers_42(output: str) -> None:
    part = _part(output, 5)
    final = re.search(r"final message: (.*)", part)
    assert final and "42" in final.group(1)
    assert "<tool_call>" not in part
    assert "iterations: 2" in part
    assert "locus tool calls: 1" in part


def test_no_emulator_flag_keeps_the_seed_behaviour() -> None:
    out = _run("--no-emulator")
    assert "emulator" not in out.splitlines()[0]
    assert "OCI_DAC_ENDPOINT_OCID / OCI_DAC_COMPARTMENT_ID not set." in out
    assert out.count("Skipping — env vars not set.") == 3


def test_the_wiring_it_prints_runs_and_takes_the_region_from_the_ocid(tmp_path: Path) -> None:
    out = _run("--no-emulator")
    wiring = out.split("Wiring (with the env vars set):\n")[1].split("\n=== Part 3")[0]
    code = [line for line in wiring.splitlines() if not line.strip().startswith("#")]
    assert not [line for line in code if "OCI_DAC_REGION" in line or "service_endpoint=" in line]
    script = tmp_path / "wiring.py"
    script.write_text(
        "\n".join(line.removeprefix("    ") for line in wiring.splitlines()), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_")}
    env |= {"OCI_DAC_ENDPOINT_OCID": LONDON_DAC, "OCI_DAC_COMPARTMENT_ID": COMPARTMENT}
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout
        == "uk-london-1 https://inference.generativeai.uk-london-1.oci.oraclecloud.com\n"
    )


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"OCI_DAC_ENDPOINT_OCID": LONDON_DAC}, ["OCI_DAC_COMPARTMENT_ID"]),
        ({"OCI_DAC_COMPARTMENT_ID": COMPARTMENT}, ["OCI_DAC_ENDPOINT_OCID"]),
        (
            {"OCI_DAC_REGION": "uk-london-1"},
            ["OCI_DAC_ENDPOINT_OCID", "OCI_DAC_COMPARTMENT_ID"],
        ),
    ],
    ids=["no-compartment", "no-endpoint", "region-only"],
)
@pytest.mark.parametrize("flags", [(), ("--no-emulator",)], ids=["default", "no-emulator"])
def test_half_a_dac_configuration_stops_with_code_2_and_names_what_is_missing(
    given: dict[str, str], missing: list[str], flags: tuple[str, ...]
) -> None:
    proc = _run_process(*flags, env=given)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""  # no emulator started, no part run
    named = proc.stderr.split(", but not ")[1].split(":")[0]
    assert named.split(" nor ") == missing
    assert "unset every OCI_DAC_* variable to run against the local emulator" in proc.stderr


@pytest.mark.parametrize(
    ("ocid", "region", "service_endpoint"),
    [
        (
            LONDON_DAC,
            "uk-london-1",
            "https://inference.generativeai.uk-london-1.oci.oraclecloud.com",
        ),
        (
            "ocid1.generativeaiendpoint.oc2.us-langley-1.amaaaaaaexampleuniqueid",
            "us-langley-1",
            "https://inference.generativeai.us-langley-1.oci.oraclegovcloud.com",
        ),
    ],
    ids=["oc1", "oc2"],
)
def test_your_dac_without_an_oci_config_says_so_in_a_line_per_part(
    tmp_path: Path, ocid: str, region: str, service_endpoint: str
) -> None:
    missing_config = tmp_path / "no-such-config"
    proc = _run_process(
        env={
            "OCI_DAC_ENDPOINT_OCID": ocid,
            "OCI_DAC_COMPARTMENT_ID": COMPARTMENT,
            "OCI_CONFIG_FILE": str(missing_config),
        }
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "emulator" not in proc.stdout
    # the region and the (realm's) service endpoint come from the OCID
    part2 = _part(proc.stdout, 2)
    assert f"Agent configured against DAC endpoint in {region}." in part2
    assert f"service endpoint: {service_endpoint}\n" in part2
    # no request is made, so no network: each part that calls fails on the missing file
    assert "Traceback" not in proc.stderr, proc.stderr
    failures = re.findall(r"^Part (\d) failed: (.*)$", proc.stderr, re.MULTILINE)
    assert [number for number, _ in failures] == ["3", "4", "5"], proc.stderr
    for _, line in failures:
        assert f"CredentialsError: OCI config file not found: {missing_config}" in line
    assert proc.stderr.rstrip().endswith("Parts that failed: 3, 4, 5.")


def test_a_stale_oci_dac_region_is_not_used(tmp_path: Path) -> None:
    proc = _run_process(
        env={
            "OCI_DAC_ENDPOINT_OCID": LONDON_DAC,
            "OCI_DAC_COMPARTMENT_ID": COMPARTMENT,
            "OCI_DAC_REGION": "us-chicago-1",
            "OCI_CONFIG_FILE": str(tmp_path / "no-such-config"),
        }
    )
    part2 = _part(proc.stdout, 2)
    assert "Agent configured against DAC endpoint in uk-london-1." in part2
    assert "OCI_DAC_REGION=us-chicago-1 is not used" in part2
    assert "Part 2 failed" not in proc.stderr


def test_with_every_variable_set_it_runs_against_that_endpoint(oci_emulator: Emulator) -> None:
    """A user's own variables (here naming a running emulator, through the service endpoint
    override) are used as they are: no emulator of the notebook's own."""
    dac = oci_emulator.endpoint(style="hermes")
    out = _run(
        env={
            "OCI_DAC_ENDPOINT_OCID": dac["ocid"],
            "OCI_DAC_COMPARTMENT_ID": oci_emulator.compartment_id,
            "OCI_CONFIG_FILE": oci_emulator.config_file,
            "OCI_DAC_SERVICE_ENDPOINT": oci_emulator.service_endpoint,
        }
    )
    assert "emulator" not in out.splitlines()[0]
    assert f"service endpoint: {oci_emulator.service_endpoint}\n" in _part(out, 2)
    assert "locus tool calls: 1" in _part(out, 5)


def test_without_the_emulator_extra_it_says_so_and_keeps_the_seed_behaviour(
    tmp_path: Path,
) -> None:
    # `pip install -e ".[oci]"` (the seed's set-up) has no Starlette: hide it from the child.
    blocked = tmp_path / "starlette"
    blocked.mkdir()
    (blocked / "__init__.py").write_text('raise ImportError("starlette is not installed")\n')
    out = _run(pythonpath=str(tmp_path))
    assert "the local emulator is not installed" in out.splitlines()[0]
    assert 'pip install -e ".[emulator]"' in out.splitlines()[0]
    assert out.count("Skipping — env vars not set.") == 3
