"""``max_run_tokens`` with the token counts a real endpoint reports (the emulator's usage
over HTTP): the run that spent its budget on its first call makes no second one."""

from __future__ import annotations

import pytest

from locus.agent import Agent
from locus.core.errors import UsageLimitError
from locus.emulator import Emulator
from locus.tools import tool
from tests.integration.conftest import OCIModelFactory


@tool
def add_two_numbers(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


async def test_the_usage_the_endpoint_reports_spends_the_budget(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(str(emu.endpoint("native")["ocid"]))
    generous = Agent(model, tools=[add_two_numbers], max_run_tokens=100_000)
    done = await generous.arun("Use add_two_numbers to add 7 and 35.")
    assert done.message == "The result of add_two_numbers is 42."
    first_call = int(done.response.usage["total_tokens"]) if done.response else 0
    assert 0 < first_call < int(done.usage["total_tokens"])

    tight = Agent(model, tools=[add_two_numbers], max_run_tokens=1)
    with pytest.raises(UsageLimitError, match="max_run_tokens=1") as caught:
        await tight.arun("Use add_two_numbers to add 7 and 35.")
    result = caught.value.result
    assert result.metrics.model_calls == 1 and result.metrics.tool_calls == 1
    assert int(result.usage["total_tokens"]) > 1
