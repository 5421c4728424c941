"""Choose the engine from the options: forwarding, rules file, or scripted."""

from __future__ import annotations

from pathlib import Path

from locus.emulator.engines._protocol import Engine
from locus.emulator.engines._scripted import ScriptedEngine

__all__ = ["build_engine"]


def build_engine(
    rules: str | Path | None = None,
    backend: str | None = None,
    backend_model: str | None = None,
    backend_api_key: str | None = None,
) -> Engine:
    """The forwarding engine if ``backend`` is set, else rules if given, else scripted."""
    if backend and rules:
        raise ValueError("use either a rules file or a backend, not both")
    if backend:
        from locus.emulator.engines._forwarding import ForwardingEngine

        return ForwardingEngine(backend, backend_model, backend_api_key)
    if rules:
        from locus.emulator.engines._rules import load_rules

        return load_rules(rules)
    return ScriptedEngine()
