"""A local OCI Generative AI inference service, faithful enough for the official SDKs.

``with Emulator() as emu:`` serves the OCI chat API (GENERIC, COHERE, COHEREV2;
on-demand and DAC; streaming and not) and the OpenAI-compatible API on a loopback
port, with real signature checks, scripted or forwarded answers, and fault injection.
``python -m locus.emulator --state-dir DIR`` does the same from the command line.
Needs the ``emulator`` extra (starlette, uvicorn, pyyaml).
"""

from __future__ import annotations

try:
    from locus.emulator._catalogue import Catalogue, Endpoint, ModelEntry
    from locus.emulator._faults import FAULT_KINDS
    from locus.emulator.server import DEFAULT_REGION, Emulator
except ModuleNotFoundError as exc:
    from locus._extras import missing_extra

    _EXTRA = frozenset({"starlette", "uvicorn", "yaml", "httptools", "uvloop"})
    raise missing_extra(exc, "the Locus emulator", "emulator", _EXTRA) from exc

__all__ = ["DEFAULT_REGION", "FAULT_KINDS", "Catalogue", "Emulator", "Endpoint", "ModelEntry"]
