"""The state directory contract, from the command line and in-process."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import oci
import pytest

from locus.emulator import Emulator

from ._helpers import MODELS, details, on_demand, sdk_client, track, user_text

INFO_KEYS = {
    "url",
    "service_endpoint",
    "region",
    "compartment_id",
    "config_file",
    "profile",
    "models",
    "endpoints",
}
REQUIRED_MODELS = {
    "meta.llama-3.3-70b-instruct",
    "cohere.command-r-plus-08-2024",
    "cohere.command-a-03-2025",
    "openai.gpt-oss-120b",
    "xai.grok-4",
}


def _check_state_dir(state: Path, info: dict[str, Any]) -> None:
    assert set(info) == INFO_KEYS
    assert stat.S_IMODE((state / "key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((state / "api_key").stat().st_mode) == 0o600
    config = oci.config.from_file(info["config_file"], info["profile"])
    oci.config.validate_config(config)
    assert config["region"] == info["region"] == "us-chicago-1"
    assert set(info["models"]) >= REQUIRED_MODELS
    styles = {e["tool_call_style"] for e in info["endpoints"]}
    assert styles == {"hermes", "native", "qwen3_coder", "llama_json", "cohere", "glm"}
    for endpoint in info["endpoints"]:
        assert endpoint["ocid"].startswith("ocid1.generativeaiendpoint.oc1.us-chicago-1.")


def _wait_for_info(path: Path, process: subprocess.Popen[bytes]) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, "the emulator exited early"
        if path.exists():
            return dict(json.loads(path.read_text()))
        time.sleep(0.02)
    raise AssertionError("emulator.json was not written")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_command_line_state_dir_and_clean_exit(tmp_path: Path, sig: signal.Signals) -> None:
    state = tmp_path / "new" / "state"
    command = [sys.executable, "-m", "locus.emulator", "--port", "0", "--state-dir", str(state)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        info = _wait_for_info(state / "emulator.json", process)
        _check_state_dir(state, info)
        config = oci.config.from_file(info["config_file"])
        client = oci.generative_ai_inference.GenerativeAiInferenceClient(
            config, service_endpoint=info["service_endpoint"]
        )
        track(client)
        request = MODELS.GenericChatRequest(messages=[user_text("What model are you?")])
        chat = MODELS.ChatDetails(
            compartment_id=info["compartment_id"],
            serving_mode=on_demand("xai.grok-4"),
            chat_request=request,
        )
        assert (
            "xai.grok-4" in client.chat(chat).data.chat_response.choices[0].message.content[0].text
        )
    finally:
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr


def test_command_line_rejects_a_bad_catalogue(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue.json"
    catalogue.write_text(json.dumps({"endpoints": [{"model": "x", "tool_call_style": "smoke"}]}))
    command = [sys.executable, "-m", "locus.emulator", "--port", "0"]
    result = subprocess.run(
        [*command, "--state-dir", str(tmp_path / "s"), "--catalogue", str(catalogue)],
        capture_output=True,
        timeout=20,
    )
    assert result.returncode == 2
    assert b"tool_call_style" in result.stderr


def test_in_process_state_dir_is_kept(tmp_path: Path) -> None:
    with Emulator(state_dir=tmp_path / "state") as emu:
        info = json.loads((tmp_path / "state" / "emulator.json").read_text())
        assert info == emu.info
        _check_state_dir(tmp_path / "state", info)
    assert (tmp_path / "state" / "config").exists()


def test_temporary_state_dir_is_removed() -> None:
    with Emulator() as emu:
        state = Path(emu.config_file).parent
        assert (state / "emulator.json").exists()
    assert not state.exists()


def test_endpoint_ocids_are_stable_across_runs() -> None:
    with Emulator() as first:
        ocids = [e["ocid"] for e in first.info["endpoints"]]
    with Emulator() as second:
        assert [e["ocid"] for e in second.info["endpoints"]] == ocids
    assert len(ocids[0].split(".")[-1]) >= 50


def test_yaml_catalogue_extends_the_built_in_one(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(
        "models:\n"
        "  - {name: mistral.large-2, tool_call_style: native}\n"
        "endpoints:\n"
        "  - {name: team-dac, model: mistral.large-2, tool_call_style: hermes}\n"
    )
    with Emulator(catalogue=catalogue, region="uk-london-1") as emu:
        assert "mistral.large-2" in emu.info["models"] and "xai.grok-4" in emu.info["models"]
        team = next(e for e in emu.info["endpoints"] if e["model"] == "mistral.large-2")
        assert team["ocid"].startswith("ocid1.generativeaiendpoint.oc1.uk-london-1.")
        request = MODELS.GenericChatRequest(messages=[user_text("What model are you?")])
        chat = details(emu, MODELS.DedicatedServingMode(endpoint_id=team["ocid"]), request)
        text = sdk_client(emu).chat(chat).data.chat_response.choices[0].message.content[0].text
        assert "mistral.large-2" in text


def test_json_catalogue_can_replace_the_built_in_one(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue.json"
    catalogue.write_text(json.dumps({"mode": "replace", "models": [{"name": "only.model"}]}))
    with Emulator(catalogue=catalogue) as emu:
        assert emu.info["models"] == ["only.model"]
        assert emu.info["endpoints"] == []


def test_a_busy_port_fails_cleanly_and_removes_the_temporary_dir(oci_emulator: Emulator) -> None:
    port = int(oci_emulator.url.rsplit(":", 1)[1])
    emulator = Emulator(port=port)
    with pytest.raises(OSError):
        emulator.start()
    assert not emulator.state_dir.exists()


def test_an_emulator_never_started_leaves_no_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A temporary state directory is made when the emulator starts (or its path is
    asked for), not when it is built: a built and dropped emulator left an empty one."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # where mkdtemp makes it
    Emulator()
    assert list(tmp_path.iterdir()) == []
    with Emulator() as emu:
        made = emu.state_dir
        assert made.parent == tmp_path and (made / "emulator.json").exists()
    assert list(tmp_path.iterdir()) == []


def test_a_started_emulator_never_stopped_leaves_no_directory_at_exit(tmp_path: Path) -> None:
    """A process that starts an emulator and exits without ``stop()`` (its key and config
    in the temporary directory) leaves nothing behind."""
    code = (
        "import tempfile, sys; tempfile.tempdir = sys.argv[1]\n"
        "from locus.emulator import Emulator\n"
        "emu = Emulator().start()\n"
        "print((emu.state_dir / 'key.pem').exists())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    assert list(tmp_path.iterdir()) == []


def test_a_reused_state_dir_gets_a_fresh_key_and_info(tmp_path: Path) -> None:
    with Emulator(state_dir=tmp_path) as first:
        first_key = (tmp_path / "key.pem").read_bytes()
        assert first.url
    with Emulator(state_dir=tmp_path) as second:
        assert (tmp_path / "key.pem").read_bytes() != first_key
        assert json.loads((tmp_path / "emulator.json").read_text())["url"] == second.url
        request = MODELS.GenericChatRequest(messages=[user_text("hi")])
        chat = details(second, on_demand("xai.grok-4"), request)
        assert sdk_client(second).chat(chat).status == 200


def test_latency_survives_reset() -> None:
    with Emulator(latency=0.25) as emu:
        emu.set_latency(latency=0.0)
        emu.reset()
        request = MODELS.GenericChatRequest(messages=[user_text("hi")])
        started = time.perf_counter()
        sdk_client(emu).chat(details(emu, on_demand("xai.grok-4"), request))
        assert time.perf_counter() - started >= 0.25
