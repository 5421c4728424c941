# Copyright (c) 2025, 2026 Oracle and/or its affiliates.
# Licensed under the Universal Permissive License v1.0 as shown at
# https://oss.oracle.com/licenses/upl/
"""Notebook 04: target an Oracle Cloud Infrastructure (OCI) Dedicated AI Cluster endpoint.

A Dedicated AI Cluster (DAC) is OCI GenAI's provisioned-capacity
serving mode: instead of pay-per-token inference against a shared model
id, you address a dedicated endpoint by its OCID
(``ocid1.generativeaiendpoint.oc1.<region>....``) and OCI routes
inference to your cluster. This notebook wires Locus to one.

Key concepts:

- Pass the endpoint OCID as the model id and Locus routes it through
  ``OCIModel``, its client of OCI's native chat API (Locus signs the
  requests itself; the ``oci`` SDK is needed only for instance, resource
  and workload principals). The OpenAI-compatible client cannot speak
  ``DedicatedServingMode``, which is required for DACs.
- The region comes from the endpoint OCID, and Locus derives the service
  endpoint from it (realm aware: ``oraclecloud.com``, ``oraclegovcloud.com``,
  ...). Pass ``service_endpoint=`` only for a private endpoint or the emulator.
- Tool schemas pass through unchanged. Whether the model on the cluster
  emits structured ``tool_calls`` (OpenAI / Llama / Cohere) or text
  ``<tool_call>`` blocks (default Qwen3) depends on the deployment.
- Both ``complete()`` and SSE ``stream()`` work end-to-end against a
  DAC — the call sites look identical to a public model.

Part-by-part:

- Part 1 — how Locus picks the client for a DAC OCID.
- Part 2 — build an ``Agent`` against a DAC endpoint.
- Part 3 — single ``complete()`` round-trip.
- Part 4 — SSE ``stream()`` with deltas printed inline.
- Part 5 — tool-using ``Agent`` on top of the DAC.

Run it against your DAC (the key comes from the profile in ``~/.oci/config``)::

    pip install -e .
    export OCI_DAC_ENDPOINT_OCID=ocid1.generativeaiendpoint.oc1.uk-london-1....
    export OCI_DAC_COMPARTMENT_ID=ocid1.compartment.oc1....
    export OCI_PROFILE=MY_DAC_PROFILE             # optional, default DEFAULT
    python examples/notebook_04_oci_dac.py

``OCI_DAC_SERVICE_ENDPOINT`` (optional) overrides the derived service
endpoint. Setting some ``OCI_DAC_*`` variables but not both of the first two
stops with exit code 2 and names the missing one.

Without any ``OCI_DAC_*`` variable the notebook starts Locus's local OCI
Generative AI emulator (``locus.emulator``, ``pip install -e ".[emulator]"``)
on a free loopback port, with a Qwen-style DAC endpoint that answers tool
calls as ``<tool_call>`` text, and runs all five parts for real over HTTP.
``--no-emulator`` keeps the original behaviour: Parts 2-5 print the wiring
snippet and skip, so the file still runs cleanly in CI.

A part that fails with a Locus error (no ``~/.oci/config``, a 404 from the
endpoint, ...) prints the error and what to do; the others still run, and the
notebook exits with code 1.

Difficulty: Intermediate
"""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from typing import Any

from locus.core.errors import LocusError

NEEDED = ("OCI_DAC_ENDPOINT_OCID", "OCI_DAC_COMPARTMENT_ID")
"""The variables that name your DAC; every other ``OCI_DAC_*`` one is optional."""


def _dac_variables() -> list[str]:
    """The ``OCI_DAC_*`` variables set (to a non-empty value)."""
    return sorted(
        name for name, value in os.environ.items() if name.startswith("OCI_DAC_") and value
    )


def _check_dac_variables() -> None:
    """Exit with code 2 when some ``OCI_DAC_*`` variables are set but not all that are needed:
    half a configuration must not fall back to the emulator."""
    given = _dac_variables()
    missing = [name for name in NEEDED if name not in given]
    if given and missing:
        print(
            f"{', '.join(given)} set, but not {' nor '.join(missing)}: set "
            f"{'it' if len(missing) == 1 else 'them'} too to run against your DAC, or unset "
            "every OCI_DAC_* variable to run against the local emulator.",
            file=sys.stderr,
        )
        sys.exit(2)


def _dac_env_ready() -> bool:
    return all(os.environ.get(name) for name in NEEDED)


def _model_options() -> dict[str, Any]:
    """The model's place and credentials: compartment and profile, and the service endpoint
    only when ``OCI_DAC_SERVICE_ENDPOINT`` names one (the emulator, a private endpoint);
    otherwise Locus derives it from the endpoint OCID's region and realm."""
    options: dict[str, Any] = {
        "compartment_id": os.environ["OCI_DAC_COMPARTMENT_ID"],
        "profile_name": os.environ.get("OCI_PROFILE", "DEFAULT"),
    }
    if service_endpoint := os.environ.get("OCI_DAC_SERVICE_ENDPOINT"):
        options["service_endpoint"] = service_endpoint
    return options


def _service_endpoint(region: str) -> str | None:
    """Parts 3-5 are the seed's code, which builds OCI's host from ``region`` (default
    ``us-chicago-1``); here that is done only when ``OCI_DAC_REGION`` is set. Otherwise the
    endpoint is ``OCI_DAC_SERVICE_ENDPOINT`` (the emulator, a private endpoint) or ``None``:
    Locus derives it from the endpoint OCID's region and realm."""
    if given := os.environ.get("OCI_DAC_SERVICE_ENDPOINT"):
        return given
    if os.environ.get("OCI_DAC_REGION"):
        return f"https://inference.generativeai.{region}.oci.oraclecloud.com"
    return None


# =============================================================================
# Emulator wiring (added: the seed notebook has no offline mode)
# =============================================================================


def _start_emulator(stack: ExitStack) -> None:
    """Start the local emulator and point the notebook's environment variables at it."""
    try:
        from locus.emulator import Emulator
    except ImportError as exc:
        print(
            f"No OCI_DAC_* variables set, and the local emulator is not installed ({exc}); "
            'pip install -e ".[emulator]" to run all five parts offline.\n'
        )
        return

    emu = stack.enter_context(Emulator(port=0))
    endpoint = emu.endpoint(style="hermes")
    os.environ["OCI_DAC_ENDPOINT_OCID"] = endpoint["ocid"]
    os.environ["OCI_DAC_COMPARTMENT_ID"] = emu.compartment_id
    os.environ["OCI_PROFILE"] = emu.profile
    os.environ["OCI_CONFIG_FILE"] = emu.config_file
    os.environ["OCI_DAC_SERVICE_ENDPOINT"] = emu.service_endpoint
    print(
        f"No OCI_DAC_* variables set: running against the local OCI GenAI emulator at "
        f"{emu.url} (DAC endpoint {endpoint['model']}, <tool_call> text tool calls).\n"
    )


# =============================================================================
# Part 1: routing — why a DAC OCID goes through OCIModel
# =============================================================================


def example_routing() -> None:
    """How Locus picks the client for a DAC OCID."""
    print("=== Part 1: routing ===\n")
    print("locus.models.registry inspects the model id:")
    print()
    print("  1. ocid1.generativeaiendpoint.<region>....  -> OCIModel (native OCI chat API)")
    print("  2. cohere.command-r-*                       -> OCIModel (native OCI chat API)")
    print("  3. everything else                          -> OCIChatCompletionsModel")
    print("                                                 (OpenAI-compatible API)")
    print()
    print("Both of these end up on OCIModel:")
    print()
    print('  Agent(model="oci:cohere.command-r-plus-08-2024")   # rule 2')
    print('  Agent(model="oci:ocid1.generativeaiendpoint....")  # rule 1')
    print()
    print("A DAC needs OCIModel because DedicatedServingMode (endpoint_id=...)")
    print("is part of the OCI proprietary chat shape, not the OpenAI-compatible")
    print("/openai/v1/chat/completions endpoint. Either way Locus signs the")
    print("requests itself; the oci SDK is needed only for instance, resource")
    print("and workload principals.")


# =============================================================================
# Part 2: build an Agent against a DAC endpoint
# =============================================================================


WIRING = """
    import os

    from locus.agent import Agent
    from locus.models import get_model

    # Pre-build the model: a DAC needs provider settings (compartment, profile)
    # that go to the model, not to the Agent. The region comes from the
    # endpoint OCID and the service endpoint is derived from it; pass
    # service_endpoint=... only for a private endpoint or the emulator.
    model = get_model(
        f"oci:{os.environ['OCI_DAC_ENDPOINT_OCID']}",
        compartment_id=os.environ["OCI_DAC_COMPARTMENT_ID"],
        profile_name=os.environ.get("OCI_PROFILE", "DEFAULT"),
    )
    agent = Agent(
        model=model,
        system_prompt="You are a concise assistant.",
    )
    print(model.connection.region, model.connection.service_endpoint)
"""


def example_configure_agent() -> None:
    """Build an Agent pointed at a DAC. Same shape as any other model."""
    print("\n=== Part 2: configure Agent against a DAC ===\n")
    if not _dac_env_ready():
        print("OCI_DAC_ENDPOINT_OCID / OCI_DAC_COMPARTMENT_ID not set.")
        print()
        print("Wiring (with the env vars set):")
        print(WIRING)
        return

    from locus.agent import Agent
    from locus.models import get_model
    from locus.models.providers.oci import OCIModel

    model = get_model(f"oci:{os.environ['OCI_DAC_ENDPOINT_OCID']}", **_model_options())
    agent = Agent(
        model=model,
        system_prompt="You are a concise assistant. Reply briefly.",
        max_iterations=2,
    )
    assert isinstance(model, OCIModel)  # rule 1 of Part 1
    print(f"Agent configured against DAC endpoint in {model.connection.region}.")
    print(f"  service endpoint: {model.connection.service_endpoint}")
    print(f"  underlying model class: {type(agent.model).__name__}")
    print("  serving mode: DedicatedServingMode")
    stale = os.environ.get("OCI_DAC_REGION")
    if stale and stale != model.connection.region:
        print(f"  (OCI_DAC_REGION={stale} is not used: a DAC is served in its OCID's region)")


# =============================================================================
# Part 3: complete() — single round-trip against the DAC
# =============================================================================


async def example_complete() -> None:
    """One chat against the DAC and print what comes back."""
    print("\n=== Part 3: complete() against the DAC ===\n")
    if not _dac_env_ready():
        print("Skipping — env vars not set.")
        return

    from locus.core.messages import Message
    from locus.models.providers.oci import OCIAuthType, OCIModel

    region = os.environ.get("OCI_DAC_REGION", "us-chicago-1")
    model = OCIModel(
        model_id=os.environ["OCI_DAC_ENDPOINT_OCID"],
        compartment_id=os.environ["OCI_DAC_COMPARTMENT_ID"],
        profile_name=os.environ.get("OCI_PROFILE", "DEFAULT"),
        auth_type=OCIAuthType.API_KEY,
        service_endpoint=_service_endpoint(region),
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


# =============================================================================
# Part 4: stream() — SSE deltas from the DAC
# =============================================================================


async def example_stream() -> None:
    """Stream from the DAC and print each delta as it arrives."""
    print("\n=== Part 4: stream() against the DAC ===\n")
    if not _dac_env_ready():
        print("Skipping — env vars not set.")
        return

    from locus.core.messages import Message
    from locus.models.providers.oci import OCIAuthType, OCIModel

    region = os.environ.get("OCI_DAC_REGION", "us-chicago-1")
    model = OCIModel(
        model_id=os.environ["OCI_DAC_ENDPOINT_OCID"],
        compartment_id=os.environ["OCI_DAC_COMPARTMENT_ID"],
        profile_name=os.environ.get("OCI_PROFILE", "DEFAULT"),
        auth_type=OCIAuthType.API_KEY,
        service_endpoint=_service_endpoint(region),
        max_tokens=64,
    )
    print("Streaming reply (chunks shown inline):")
    print("  ", end="", flush=True)
    async for event in model.stream(
        messages=[Message.user("Count from 1 to 5, separated by commas.")],
        tools=None,
    ):
        if event.content:
            print(event.content, end="", flush=True)
        if event.done:
            break
    print()


# =============================================================================
# Part 5: tool-using Agent on top of the DAC
# =============================================================================


async def example_agent_with_tool() -> None:
    """Wire a tool-using Agent on top of the DAC.

    Locus sends the same OpenAI-style tool definitions to the DAC that
    it sends to on-demand models. Whether the model on the cluster
    emits structured tool calls or text-format ones depends on the
    model and the deployment:

    - **OpenAI / Llama / Cohere on OCI** emit structured ``tool_calls``.
      Locus extracts them automatically.
    - **Qwen on a DAC** by default emits ``<tool_call>...</tool_call>``
      text blocks. Locus parses those too (``locus.toolcalls``, on by
      default for DAC endpoints), so ``result.metrics.tool_calls`` counts
      them and the markup never reaches ``result.message``.

    This part shows the wiring. The output depends on the model.
    """
    print("\n=== Part 5: Agent + @tool against the DAC ===\n")
    if not _dac_env_ready():
        print("Skipping — env vars not set.")
        return

    from locus.agent import Agent
    from locus.models import get_model
    from locus.tools.decorator import tool

    @tool(name="add_two_numbers")
    def add_two_numbers(a: int, b: int) -> int:
        """Return the sum of two integers."""
        return a + b

    region = os.environ.get("OCI_DAC_REGION", "us-chicago-1")
    model = get_model(
        f"oci:{os.environ['OCI_DAC_ENDPOINT_OCID']}",
        compartment_id=os.environ["OCI_DAC_COMPARTMENT_ID"],
        profile_name=os.environ.get("OCI_PROFILE", "DEFAULT"),
        service_endpoint=_service_endpoint(region),
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
    print(f"final message: {result.message.strip()[:200]}")
    print(f"iterations: {result.metrics.iterations}")
    print(f"locus tool calls: {result.metrics.tool_calls}")
    if "<tool_call>" in (result.message or ""):
        print()
        print("Note: the model emitted a <tool_call> text block instead of a")
        print("structured tool_call. See the docstring for how to handle this")
        print("(deployment flag or post-processing parser).")


# =============================================================================
# Main
# =============================================================================

PARTS: list[Callable[[], Awaitable[None] | None]] = [
    example_routing,
    example_configure_agent,
    example_complete,
    example_stream,
    example_agent_with_tool,
]


def _report(number: int, error: LocusError) -> None:
    """Print a Locus error as its message and hint, without the traceback: they say what to
    do (a missing ``~/.oci/config``, a wrong compartment...)."""
    sys.stdout.flush()
    text = str(error)
    hint = getattr(error, "hint", None)
    if hint and hint not in text:
        text = f"{text}\nhint: {hint}"
    print(f"Part {number} failed: {type(error).__name__}: {text}", file=sys.stderr, flush=True)


async def _async_main() -> int:
    """Run the five parts; a part that raises a ``LocusError`` is reported and the next one
    runs. Any other exception is a bug and propagates. Returns the exit code."""
    failed = []
    for number, part in enumerate(PARTS, start=1):
        try:
            outcome = part()
            if inspect.isawaitable(outcome):
                await outcome
        except LocusError as error:
            _report(number, error)
            failed.append(number)
    if failed:
        print(f"\nParts that failed: {', '.join(map(str, failed))}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    _check_dac_variables()
    with ExitStack() as _stack:
        if not _dac_variables() and "--no-emulator" not in sys.argv[1:]:
            _start_emulator(_stack)
        code = asyncio.run(_async_main())
    sys.exit(code)
