"""Misuse of the ``Emulator`` object says what is wrong: an unknown tool-call style lists the
valid ones, and an address asked for before ``start()`` is an error, never ``''``."""

from __future__ import annotations

from pathlib import Path

import pytest

from locus.emulator import Catalogue, Emulator

_STYLES = ("native", "hermes", "qwen3_coder", "llama_json", "cohere")


def test_an_unknown_style_lists_the_valid_ones(oci_emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown tool_call_style 'qwen'") as caught:
        oci_emulator.endpoint("qwen")
    for style in _STYLES:
        assert style in str(caught.value)


@pytest.mark.parametrize("style", _STYLES)
def test_every_valid_style_has_a_built_in_endpoint(oci_emulator: Emulator, style: str) -> None:
    endpoint = oci_emulator.endpoint(style)
    assert endpoint["tool_call_style"] == style
    assert endpoint["ocid"].startswith("ocid1.generativeaiendpoint.oc1.us-chicago-1.")


def test_a_valid_style_the_catalogue_lacks_names_the_ones_it_has() -> None:
    with Emulator(catalogue=Catalogue()) as emu, pytest.raises(LookupError) as caught:
        emu.endpoint("hermes")
    assert "no DAC endpoint with tool_call_style 'hermes'" in str(caught.value)
    assert "this catalogue has none" in str(caught.value)


@pytest.mark.parametrize("name", ["url", "service_endpoint", "info", "compartment_id"])
def test_an_address_before_start_is_an_error(name: str) -> None:
    emu = Emulator()
    with pytest.raises(RuntimeError, match=r"not started.*start\(\).*with Emulator\(\) as emu"):
        getattr(emu, name)


def test_the_addresses_are_there_once_started(tmp_path: Path) -> None:
    emu = Emulator(state_dir=tmp_path)
    emu.start()
    try:
        assert emu.url.startswith("http://127.0.0.1:") and emu.service_endpoint == emu.url
        assert emu.info["url"] == emu.url
    finally:
        emu.stop()
