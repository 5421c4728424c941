"""Put one emulator together: its key ring, verifier, engine and settings."""

from __future__ import annotations

from pathlib import Path

from locus.emulator._catalogue import Catalogue
from locus.emulator._knobs import Knobs
from locus.emulator.auth import KeyRing, Verifier
from locus.emulator.engines import build_engine
from locus.emulator.routes import Service
from locus.emulator.server._state_dir import Identity

__all__ = ["build_service"]


def build_service(
    identity: Identity,
    catalogue: Catalogue,
    latency: float = 0.0,
    *,
    rules: str | Path | None = None,
    backend: str | None = None,
    backend_model: str | None = None,
    backend_api_key: str | None = None,
) -> Service:
    """A :class:`Service` that accepts ``identity``'s key and serves ``catalogue``.

    The engine forwards to ``backend`` when it is set, answers from ``rules`` when given,
    and is scripted otherwise.
    """
    keys = KeyRing()
    keys.add(identity.key_id, identity.public_key)
    return Service(
        catalogue=catalogue,
        keys=keys,
        verifier=Verifier(keys),
        engine=build_engine(rules, backend, backend_model, backend_api_key),
        region=identity.region,
        compartment_id=identity.compartment_id,
        api_key=identity.api_key,
        knobs=Knobs(latency=latency),
        base_latency=latency,
    )
