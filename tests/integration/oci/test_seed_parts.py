"""The seed notebook's Part 3 and Part 4, unmodified except for the endpoint URL and
credentials (an emulator DAC endpoint and its config file, through the environment)."""

from __future__ import annotations

import os
import re

import pytest

from locus.emulator import Emulator


@pytest.fixture
def dac_env(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OCI_CONFIG_FILE", emu.config_file)
    monkeypatch.setenv("OCI_PROFILE", emu.profile)
    monkeypatch.setenv("OCI_DAC_ENDPOINT_OCID", emu.endpoint(style="hermes")["ocid"])
    monkeypatch.setenv("OCI_DAC_COMPARTMENT_ID", emu.compartment_id)
    monkeypatch.setenv("OCI_DAC_REGION", emu.region)
    return emu.service_endpoint


async def example_complete(service_endpoint: str) -> None:
    """Part 3, with only the service_endpoint line changed."""
    print("\n=== Part 3: complete() against the DAC ===\n")
    from locus.core.messages import Message
    from locus.models.providers.oci import OCIAuthType, OCIModel

    model = OCIModel(
        model_id=os.environ["OCI_DAC_ENDPOINT_OCID"],
        compartment_id=os.environ["OCI_DAC_COMPARTMENT_ID"],
        profile_name=os.environ.get("OCI_PROFILE", "DEFAULT"),
        auth_type=OCIAuthType.API_KEY,
        service_endpoint=service_endpoint,
        max_tokens=128,
    )
    response = await model.complete(
        messages=[
            Message.user("In one sentence, what model are you?"),
        ],
        tools=None,
    )
    content = (response.message.content or "").strip()
    print(f"Reply: {content!r}")
    print(f"usage: {response.usage}")
    print(f"stop_reason: {response.stop_reason}")
    await model.aclose()  # added: the test checks for leaked sockets


async def example_stream(service_endpoint: str) -> None:
    """Part 4, with only the service_endpoint line changed."""
    print("\n=== Part 4: stream() against the DAC ===\n")
    from locus.core.messages import Message
    from locus.models.providers.oci import OCIAuthType, OCIModel

    model = OCIModel(
        model_id=os.environ["OCI_DAC_ENDPOINT_OCID"],
        compartment_id=os.environ["OCI_DAC_COMPARTMENT_ID"],
        profile_name=os.environ.get("OCI_PROFILE", "DEFAULT"),
        auth_type=OCIAuthType.API_KEY,
        service_endpoint=service_endpoint,
        max_tokens=64,
    )
    print("Streaming reply (chunks shown inline):")
    print(" ", end="", flush=True)
    async for event in model.stream(
        messages=[Message.user("Count from 1 to 5, separated by commas.")],
        tools=None,
    ):
        if event.content:
            print(event.content, end="|", flush=True)  # "|" added to see the deltas
        if event.done:
            break
    print()
    await model.aclose()  # added: the test checks for leaked sockets


async def test_part3_prints_reply_usage_and_stop_reason(
    dac_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    await example_complete(dac_env)
    out = capsys.readouterr().out
    assert re.search(r"Reply: '.*Qwen.*'", out)
    assert re.search(r"usage: \{'prompt_tokens': \d+, 'completion_tokens': \d+", out)
    assert "stop_reason: stop" in out


async def test_part4_streams_one_to_five_in_several_deltas(
    dac_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    await example_stream(dac_env)
    line = capsys.readouterr().out.splitlines()[-1]
    deltas = [d for d in line.strip().split("|") if d]
    assert "".join(deltas) == "1, 2, 3, 4, 5" and len(deltas) >= 3


def test_get_model_routes_a_dac_ocid_to_ocimodel(emu: Emulator) -> None:
    from locus.models import get_model

    model = get_model(
        f"oci:{emu.endpoint(style='hermes')['ocid']}",
        compartment_id=emu.compartment_id,
        profile_name=emu.profile,
        config_file=emu.config_file,
        service_endpoint=emu.service_endpoint,
    )
    assert type(model).__name__ == "OCIModel"


@pytest.mark.parametrize("style", ["hermes", "qwen3_coder", "llama_json", "native", "cohere"])
async def test_part5_agent_with_a_tool_on_each_dac_style(
    emu: Emulator, dac_env: str, style: str
) -> None:
    import asyncio

    from locus.agent import Agent
    from locus.models import get_model
    from locus.tools.decorator import tool

    @tool(name="add_two_numbers")
    def add_two_numbers(a: int, b: int) -> int:
        """Return the sum of two integers."""
        return a + b

    endpoint = emu.endpoint(style=style)
    model = get_model(
        f"oci:{endpoint['ocid']}",
        compartment_id=os.environ["OCI_DAC_COMPARTMENT_ID"],
        profile_name=os.environ.get("OCI_PROFILE", "DEFAULT"),
        service_endpoint=dac_env,
        api_format=endpoint["api_format"],
    )
    agent = Agent(
        model=model,
        tools=[add_two_numbers],
        system_prompt="You can call add_two_numbers when asked to add. Reply briefly.",
        max_iterations=4,
    )
    result = await asyncio.to_thread(
        agent.run_sync,
        "Use the add_two_numbers tool to add 7 and 35, then state the result in one sentence.",
    )
    await agent.aclose()
    assert "42" in result.message and "<tool_call>" not in result.message
    assert (result.metrics.iterations, result.metrics.tool_calls) == (2, 1)
