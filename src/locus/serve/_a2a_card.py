"""An agent's A2A agent card: who it is, where its JSON-RPC endpoint is, what it can do."""

from __future__ import annotations

from typing import Any

from locus.serve._agents import is_structured

__all__ = ["SCHEME", "agent_card"]

SCHEME = "bearer"
"""The name the card gives its security scheme (the server's bearer token)."""


def agent_card(name: str, agent: Any, endpoint: str, *, auth: bool) -> dict[str, Any]:
    """The ``AgentCard`` of ``agent`` served as ``name`` at ``endpoint`` (its JSON-RPC URL);
    with ``auth``, the card says calls need the bearer token."""
    from locus import __version__

    description = getattr(agent, "description", "") or f"The Locus agent {name!r}."
    output = "application/json" if is_structured(agent) else "text/plain"
    card: dict[str, Any] = {
        "name": name,
        "description": description,
        "supportedInterfaces": [
            {"url": endpoint, "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}
        ],
        "version": __version__,
        "capabilities": {"streaming": True, "pushNotifications": False},
        "defaultInputModes": ["text/plain", "application/json", "image/*"],
        "defaultOutputModes": [output],
        "skills": _skills(name, agent, description),
    }
    if auth:
        card["securitySchemes"] = {
            SCHEME: {
                "httpAuthSecurityScheme": {
                    "scheme": "Bearer",
                    "description": "the server's token (LOCUS_SERVE_TOKEN)",
                }
            }
        }
        card["securityRequirements"] = [{"schemes": {SCHEME: {"list": []}}}]
    return card


def _skills(name: str, agent: Any, description: str) -> list[dict[str, Any]]:
    """The agent's tools as skills (what it can do for a caller; it runs them itself), or
    the agent itself as its one skill when it has no tools."""
    skills = []
    for item in getattr(agent, "tools", ()) or ():
        tool_name = getattr(item, "name", None)
        if isinstance(tool_name, str) and tool_name:
            skills.append(
                {
                    "id": tool_name,
                    "name": tool_name,
                    "description": getattr(item, "description", "") or tool_name,
                    "tags": ["tool"],
                }
            )
    if not skills:
        skills.append({"id": name, "name": name, "description": description, "tags": ["agent"]})
    return skills
