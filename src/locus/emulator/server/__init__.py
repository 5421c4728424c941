"""Serving an emulator: the Starlette app, uvicorn on a socket (in a thread, or in the
foreground for the command line), the state directory, and the :class:`Emulator` object.
"""

from __future__ import annotations

from locus.emulator.server._emulator import DEFAULT_REGION, Emulator
from locus.emulator.server._setup import build_service
from locus.emulator.server._state_dir import (
    Identity,
    describe,
    fingerprint_of,
    prepare_state_dir,
    write_info,
)
from locus.emulator.server._uvicorn import EmulatorServer, bind, url_of

__all__ = [
    "DEFAULT_REGION",
    "Emulator",
    "EmulatorServer",
    "Identity",
    "bind",
    "build_service",
    "describe",
    "fingerprint_of",
    "prepare_state_dir",
    "url_of",
    "write_info",
]
