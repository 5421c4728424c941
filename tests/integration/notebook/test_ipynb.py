"""Execute the real ``examples/notebook_04_oci_dac.ipynb`` in a Jupyter kernel, as a user would.

The kernel is ipykernel on this interpreter (``kernel_name="python3"``), which runs an event
loop in the kernel's thread: Part 5 calls ``agent.run_sync(...)`` straight from a cell. A
kernel that cannot start fails these tests; nothing here is skipped.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat import NotebookNode

from locus.emulator import Emulator
from tests.conftest import REPO_ROOT

NOTEBOOK = REPO_ROOT / "examples" / "notebook_04_oci_dac.ipynb"
_PROBE = "import sys\nprint(sys.executable)\nprint(sys.prefix)"


def _read() -> NotebookNode:
    nb: NotebookNode = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    return nb


def _execute(env: dict[str, str], *, allow_errors: bool = False) -> list[NotebookNode]:
    """Run the notebook (after a probe cell that names the kernel's interpreter) and return
    its executed code cells, the probe first. A cell that fails stops the run (as Jupyter's
    "Run All" does) with a ``CellExecutionError``, unless ``allow_errors``."""
    nb = _read()
    probe: NotebookNode = nbformat.v4.new_code_cell(_PROBE)  # type: ignore[no-untyped-call]
    nb.cells.insert(0, probe)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=60,
        startup_timeout=60,
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute(env=env)
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def _without_oci_variables() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("OCI_")}


def _stdout(cell: NotebookNode) -> str:
    return "".join(
        out["text"]
        for out in cell.outputs
        if out["output_type"] == "stream" and out["name"] == "stdout"
    )


def _part(cells: list[NotebookNode], number: int) -> NotebookNode:
    return next(cell for cell in cells if f"=== Part {number}" in cell.source)


@pytest.fixture(scope="module")
def cells() -> Iterator[list[NotebookNode]]:
    """The notebook executed once with no ``OCI_*`` variables (so it starts the emulator)."""
    yield _execute(_without_oci_variables())


def test_the_kernel_is_this_interpreter(cells: list[NotebookNode]) -> None:
    executable, prefix = _stdout(cells[0]).splitlines()
    assert (executable, prefix) == (sys.executable, sys.prefix), (
        "the python3 kernel does not run this interpreter: install ipykernel in this "
        "environment (the dev extra) and remove any other 'python3' kernelspec ahead of it"
    )


def test_every_cell_ran_without_an_error_or_stderr(cells: list[NotebookNode]) -> None:
    for cell in cells:
        kinds = [out["output_type"] for out in cell.outputs]
        assert "error" not in kinds, (cell.source, cell.outputs)
        stderr = [out for out in cell.outputs if out.get("name") == "stderr"]
        assert not stderr, (cell.source, stderr)
    assert all(cell.execution_count for cell in cells)


def test_the_first_cell_starts_the_emulator(cells: list[NotebookNode]) -> None:
    out = _stdout(cells[1])
    assert re.search(r"local OCI GenAI emulator at http://127\.0\.0\.1:\d+\n", out), out
    assert "Qwen/Qwen2.5-72B-Instruct" in out


def test_part1_shows_the_routing_of_each_model_id(cells: list[NotebookNode]) -> None:
    rows = dict(
        line.strip().split(" -> ")
        for line in _stdout(_part(cells, 1)).splitlines()
        if " -> " in line
    )
    routes = {key.strip(): value for key, value in rows.items()}
    assert routes["oci:ocid1.generativeaiendpoint.oc1.us-chi..."] == "OCIModel"
    assert routes["oci:cohere.command-r-plus-08-2024"] == "OCIModel"
    assert routes["oci:meta.llama-3.3-70b-instruct"] == "OCIChatCompletionsModel"


def test_part2_builds_an_agent_on_ocimodel(cells: list[NotebookNode]) -> None:
    out = _stdout(_part(cells, 2))
    # the region the model took from the emulator's endpoint OCID
    assert "Agent configured against DAC endpoint in us-chicago-1." in out
    assert re.search(r"service endpoint: http://127\.0\.0\.1:\d+\n", out), out
    assert "underlying model class: OCIModel" in out


def test_part3_awaits_complete_in_the_cell(cells: list[NotebookNode]) -> None:
    cell = _part(cells, 3)
    assert "await dac_model.complete(" in cell.source
    out = _stdout(cell)
    assert "Reply: 'I am Qwen/Qwen2.5-72B-Instruct" in out
    usage = re.search(r"usage: \{'prompt_tokens': (\d+), 'completion_tokens': (\d+)", out)
    assert usage and int(usage.group(1)) > 0 and int(usage.group(2)) > 0
    assert "stop_reason: stop" in out


def test_part4_streams_delta_by_delta(cells: list[NotebookNode]) -> None:
    cell = _part(cells, 4)
    assert "async for event in dac_model.stream(" in cell.source
    assert "1, 2, 3, 4, 5" in _stdout(cell)
    # Each delta was flushed as it arrived, so the kernel sent it as an output of its own.
    deltas = [out["text"] for out in cell.outputs if out["text"].strip().rstrip(",").isdigit()]
    assert [d.strip().rstrip(",") for d in deltas] == ["1", "2", "3", "4", "5"]


def test_part5_calls_run_sync_in_the_cell_and_the_tool_once(cells: list[NotebookNode]) -> None:
    cell = _part(cells, 5)
    assert "tool_agent.run_sync(" in cell.source and "to_thread" not in cell.source
    out = _stdout(cell)
    final = re.search(r"final message: (.*)", out)
    assert final and "42" in final.group(1), out
    assert "<tool_call>" not in out
    assert "iterations: 2" in out
    assert "locus tool calls: 1" in out


def test_the_last_cell_stops_the_emulator(cells: list[NotebookNode]) -> None:
    assert _stdout(cells[-1]).strip() == "emulator stopped"


def test_with_the_dac_variables_set_it_uses_that_endpoint(oci_emulator: Emulator) -> None:
    dac = oci_emulator.endpoint(style="hermes")
    env = _without_oci_variables() | {
        "OCI_DAC_ENDPOINT_OCID": dac["ocid"],
        "OCI_DAC_COMPARTMENT_ID": oci_emulator.compartment_id,
        "OCI_CONFIG_FILE": oci_emulator.config_file,
        "OCI_DAC_SERVICE_ENDPOINT": oci_emulator.service_endpoint,
    }
    cells = _execute(env)
    assert _stdout(cells[1]) == ""  # no emulator of its own
    assert f"service endpoint: {oci_emulator.service_endpoint}\n" in _stdout(_part(cells, 2))
    assert "locus tool calls: 1" in _stdout(_part(cells, 5))
    assert _stdout(cells[-1]) == ""


LONDON_DAC = "ocid1.generativeaiendpoint.oc1.uk-london-1.amaaaaaaexampleuniqueid"
COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaexampleuniqueid"


def test_half_a_dac_configuration_stops_the_first_cell_and_names_what_is_missing() -> None:
    env = _without_oci_variables() | {"OCI_DAC_ENDPOINT_OCID": LONDON_DAC}
    with pytest.raises(CellExecutionError) as raised:
        _execute(env)
    assert raised.value.ename == "RuntimeError"
    assert raised.value.evalue == (
        "OCI_DAC_ENDPOINT_OCID set, but not OCI_DAC_COMPARTMENT_ID: set it too before starting "
        "Jupyter to use your DAC, or unset every OCI_DAC_* variable to use the local emulator"
    )


def test_your_dac_without_an_oci_config_shows_the_error_not_a_traceback(tmp_path: Path) -> None:
    missing_config = tmp_path / "no-such-config"
    env = _without_oci_variables() | {
        "OCI_DAC_ENDPOINT_OCID": LONDON_DAC,
        "OCI_DAC_COMPARTMENT_ID": COMPARTMENT,
        "OCI_CONFIG_FILE": str(missing_config),
    }
    # "Run All" stops at Part 3, the first cell that calls the DAC, with one line that says why
    with pytest.raises(CellExecutionError) as raised:
        _execute(env)
    assert "=== Part 3" in str(raised.value)
    # every cell run on: Parts 1 and 2 build the models (no request, no network), and the
    # region and the service endpoint come from the OCID
    cells = _execute(env, allow_errors=True)
    part2 = _stdout(_part(cells, 2))
    assert "Agent configured against DAC endpoint in uk-london-1." in part2
    assert (
        "service endpoint: https://inference.generativeai.uk-london-1.oci.oraclecloud.com\n"
        in part2
    )
    for number in (3, 4, 5):
        cell = _part(cells, number)
        assert [out["output_type"] for out in cell.outputs if out["output_type"] == "error"] == []
        stderr = "".join(out["text"] for out in cell.outputs if out.get("name") == "stderr")
        assert stderr.startswith(f"CredentialsError: OCI config file not found: {missing_config}")
        assert "Traceback" not in stderr and stderr.count("\n") == 1, stderr


def test_the_notebook_ships_valid_and_without_outputs() -> None:
    nb = _read()
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code)
    assert [n for n in range(1, 6) if any(f"=== Part {n}" in c.source for c in code)] == [
        1,
        2,
        3,
        4,
        5,
    ]
