"""Agent(model, output_type=City) against the emulator over real HTTP, on every family.

GENERIC, COHERE and COHEREV2 on-demand models, the OpenAI-compatible API and a Qwen-style
DAC endpoint (``final_result`` comes back as ``<tool_call>`` text). The emulator fills
a JSON schema's fields from the prompt, so London's figures come back as they are asked.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from locus.agent import Agent, ModelTextDelta, OutputDelta, OutputMode, RunFinished
from locus.core.errors import OutputValidationError
from locus.core.model import Model
from locus.emulator import Emulator
from locus.models.providers.oci import OCIAuthType, OCIChatCompletionsModel, OCIModel

PROMPT = 'The biggest city: "London" in "UK", population 9000000.'


class City(BaseModel):
    name: str
    country: str
    population: int


class CityDraft(BaseModel):
    """Defaults let a partial answer validate field by field while it streams."""

    name: str = ""
    country: str = ""
    population: int = 0


ModelFactory = Callable[[str], Model]
FAMILIES: dict[str, tuple[str, dict[str, Any]]] = {
    "generic": ("meta.llama-3.3-70b-instruct", {}),
    "cohere": ("cohere.command-r-plus-08-2024", {}),
    "cohere_v2": ("cohere.command-a-03-2025", {"api_format": "cohere_v2"}),
    "openai": ("xai.grok-4", {"openai": True}),
    "dac": ("hermes", {"dac": True}),
}
NATIVE = ["generic", "cohere", "cohere_v2", "openai"]


@pytest.fixture
async def family_model(emu: Emulator) -> AsyncIterator[ModelFactory]:
    built: list[Any] = []

    def make(family: str) -> Model:
        model_id, options = FAMILIES[family]
        common: dict[str, Any] = {
            "compartment_id": emu.compartment_id,
            "config_file": emu.config_file,
            "profile_name": emu.profile,
            "service_endpoint": emu.service_endpoint,
        }
        model: OCIModel | OCIChatCompletionsModel
        if options.get("openai"):
            model = OCIChatCompletionsModel(model_id, **common)
        else:
            if options.get("dac"):
                model_id = emu.endpoint(model_id)["ocid"]
            extra = {k: v for k, v in options.items() if k == "api_format"}
            model = OCIModel(model_id, auth_type=OCIAuthType.API_KEY, **common, **extra)
        built.append(model)
        return model

    yield make
    for model in built:
        await model.aclose()


def london(city: City | CityDraft) -> bool:
    return (city.name, city.country, city.population) == ("London", "UK", 9000000)


@pytest.mark.parametrize("family", sorted(FAMILIES))
async def test_auto_returns_a_city_on_every_family(family_model: ModelFactory, family: str) -> None:
    agent = Agent(family_model(family), output_type=City)
    result = await agent.arun(PROMPT)
    assert isinstance(result.output, City) and london(result.output)
    assert result.metrics.output_retries == 0


@pytest.mark.parametrize("family", NATIVE)
async def test_native_mode(family_model: ModelFactory, family: str) -> None:
    result = await Agent(family_model(family), output_type=City, output_mode="native").arun(PROMPT)
    assert london(result.output) and json.loads(result.message)["name"] == "London"


@pytest.mark.parametrize("family", sorted(FAMILIES))
async def test_tool_mode(family_model: ModelFactory, family: str) -> None:
    result = await Agent(family_model(family), output_type=City, output_mode="tool").arun(PROMPT)
    assert london(result.output)
    calls = [c.name for m in result.new_messages() for c in m.tool_calls]
    assert calls == ["final_result"]


def test_auto_picks_native_on_demand_and_the_tool_on_a_dac(
    family_model: ModelFactory,
) -> None:
    for family in FAMILIES:
        model = family_model(family)
        agent = Agent(model, output_type=City)
        result = agent.run_sync(PROMPT)
        used_tool = any(m.tool_calls for m in result.new_messages())
        assert used_tool == (family == "dac"), family


@pytest.mark.parametrize(
    ("family", "mode", "knob"),
    [
        ("generic", "native", "bad_json"),
        ("cohere", "native", "bad_schema"),
        ("openai", "native", "bad_json"),
        ("generic", "tool", "bad_json"),
        ("cohere_v2", "tool", "bad_schema"),
        ("dac", "tool", "bad_json"),
        ("dac", "tool", "bad_schema"),
    ],
)
async def test_invalid_once_then_valid_is_one_retry(
    emu: Emulator, family_model: ModelFactory, family: str, mode: OutputMode, knob: str
) -> None:
    emu.configure(**{knob: 1})
    agent = Agent(family_model(family), output_type=City, output_mode=mode)
    result = await agent.arun(PROMPT)
    assert isinstance(result.output, City) and result.metrics.output_retries == 1
    assert result.metrics.model_calls == 2
    if mode == "tool" and knob == "bad_schema":  # a bad final_result call: a tool error
        assert london(result.output)  # the emulator fills the call from the prompt again
        errors = [m for m in result.new_messages() if m.role == "tool" and m.is_error]
        assert len(errors) == 1 and "did not validate" in errors[0].text
    else:  # cut JSON comes back as text: the model is asked again in a user message
        # (the emulator then fills the schema from that message, not from the prompt)
        retry = result.new_messages()[2]
        assert retry.role == "user"
        assert "did not validate" in retry.text or "calling the final_result tool" in retry.text


@pytest.mark.parametrize("family", ["generic", "dac"])
async def test_never_valid_raises_output_validation_error(
    emu: Emulator, family_model: ModelFactory, family: str
) -> None:
    emu.configure(bad_schema=10)
    agent = Agent(family_model(family), output_type=City, output_retries=2)
    with pytest.raises(OutputValidationError) as info:
        await agent.arun(PROMPT)
    assert info.value.errors and info.value.raw
    assert info.value.result.metrics.output_retries == 2
    assert info.value.result.metrics.model_calls == 3


async def test_a_streamed_run_yields_growing_partial_objects(
    emu: Emulator, family_model: ModelFactory
) -> None:
    emu.configure(chunk_chars=6)
    agent = Agent(family_model("generic"), output_type=CityDraft, output_mode="native")
    events = [event async for event in agent.run(PROMPT)]
    partials = [e.output for e in events if isinstance(e, OutputDelta)]
    assert len(partials) >= 3
    assert all(isinstance(p, CityDraft) for p in partials)
    assert partials[0] != partials[-1] and london(partials[-1])
    assert not [e for e in events if isinstance(e, ModelTextDelta)]
    finished = events[-1]
    assert isinstance(finished, RunFinished) and finished.result.output == partials[-1]


async def test_text_events_of_a_dac_run_hold_no_tool_call_markup(
    family_model: ModelFactory,
) -> None:
    agent = Agent(family_model("dac"), output_type=City)
    events = [event async for event in agent.run(PROMPT)]
    text = "".join(e.text for e in events if isinstance(e, ModelTextDelta))
    assert "<tool_call>" not in text and "final_result" not in text
    assert isinstance(events[-1], RunFinished) and london(events[-1].result.output)


async def test_prompted_mode_with_a_rules_file(tmp_path: Path) -> None:
    """The emulator's rules answer JSON text when the system prompt asks for the schema."""
    rules = tmp_path / "rules.json"
    answer = (
        "Sure:\n```json\n"
        + json.dumps({"name": "London", "country": "UK", "population": 9000000})
        + "\n```"
    )
    rules.write_text(
        json.dumps({"rules": [{"when": {"contains": "London"}, "reply": {"text": answer}}]})
    )
    with Emulator(rules=str(rules)) as emu:
        cases: list[tuple[str, dict[str, Any]]] = [
            ("meta.llama-3.3-70b-instruct", {}),
            ("cohere.command-r-plus-08-2024", {}),
            ("cohere.command-a-03-2025", {"api_format": "cohere_v2"}),
        ]
        for model_id, extra in cases:
            async with OCIModel(
                model_id,
                compartment_id=emu.compartment_id,
                config_file=emu.config_file,
                profile_name=emu.profile,
                service_endpoint=emu.service_endpoint,
                auth_type=OCIAuthType.API_KEY,
                **extra,
            ) as model:
                agent = Agent(model, output_type=City, output_mode="prompted")
                result = await agent.arun(PROMPT)
                assert london(result.output), model_id
                assert "JSON schema" in result.messages[0].text
