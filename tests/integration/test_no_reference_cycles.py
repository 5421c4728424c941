"""An agent run leaves no reference cycles behind: with hundreds of runs in flight,
cyclic garbage makes the collector run often and scan everything that is alive."""

from __future__ import annotations

import collections
import gc
from collections.abc import Iterator
from typing import Literal

import pytest

from locus.agent import Agent
from locus.emulator import Emulator
from locus.models.providers.oci import OCIAuthType, OCIModel
from locus.tools import tool

RUNS = 10


@tool
def add_two_numbers(a: int, b: int) -> int:
    """Return the sum of two integers."""
    return a + b


@pytest.fixture
def saving_garbage() -> Iterator[list[object]]:
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield gc.garbage
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_agent_runs_free_everything_by_reference_counting(
    oci_emulator: Emulator, backend: Literal["httpx", "aiohttp"], saving_garbage: list[object]
) -> None:
    endpoint = oci_emulator.endpoint(style="native")
    model = OCIModel(
        endpoint["ocid"],
        compartment_id=oci_emulator.compartment_id,
        profile_name=oci_emulator.profile,
        config_file=oci_emulator.config_file,
        auth_type=OCIAuthType.API_KEY,
        service_endpoint=oci_emulator.service_endpoint,
        http_backend=backend,
    )
    agent = Agent(model, tools=[add_two_numbers], max_iterations=4)
    prompt = "Use the add_two_numbers tool to add 7 and 35."
    for _ in range(3):  # warm: pool, lazy imports, the tool's placement
        await agent.arun(prompt)
    gc.collect()
    saving_garbage.clear()
    for _ in range(RUNS):
        result = await agent.arun(prompt)
        assert result.metrics.tool_calls == 1
    gc.collect()
    kinds = collections.Counter(
        f"{type(o).__module__}.{type(o).__qualname__}" for o in saving_garbage
    )
    per_call = {kind: count for kind, count in kinds.items() if kind.startswith(_PER_CALL)}
    assert not per_call, f"reference cycles left by each call: {per_call}"
    await agent.aclose()


# what each call makes: our objects and the HTTP stack's (one-off set-up objects such as
# the config file's parser, or a worker thread's bookkeeping, are not counted)
_PER_CALL = ("locus.", "httpx.", "httpcore.", "aiohttp.", "multidict.", "yarl.", "h11.")
