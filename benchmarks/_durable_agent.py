"""The agent ``benchmarks/durable.py`` runs: one tool call, then an answer, on the emulator
(settings as JSON in ``LOCUS_EMU``); ``locus worker`` serves it as
``benchmarks._durable_agent:agent``."""

from __future__ import annotations

import json
import os

from locus.agent import Agent
from locus.models.providers.oci import OCIAuthType, OCIModel
from locus.tools import tool


@tool
def lookup(city: str) -> str:
    """Look up hotels in a city."""
    return f"3 hotels in {city}"


def agent() -> Agent:
    emu = json.loads(os.environ["LOCUS_EMU"])
    model = OCIModel(
        "meta.llama-3.3-70b-instruct",
        service_endpoint=emu["endpoint"],
        compartment_id=emu["compartment"],
        config_file=emu["config_file"],
        profile_name=emu["profile"],
        auth_type=OCIAuthType.API_KEY,
    )
    return Agent(model, tools=[lookup], name="bench")
