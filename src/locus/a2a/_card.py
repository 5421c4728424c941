"""A remote agent's card: where it is found, and what this client reads of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from locus.a2a._errors import AgentCardError

__all__ = ["CARD_PATH", "AgentCard", "Skill", "card_url_of", "read_card"]

CARD_PATH = "/.well-known/agent-card.json"
"""Where an A2A server publishes its agent's card, under its base URL."""
_SUPPORTED = (
    "A2A 1.x over JSON-RPC (an interface with protocolBinding 'JSONRPC', protocolVersion '1.x')"
)


@dataclass(frozen=True, slots=True)
class Skill:
    """One of the remote agent's skills, as its card lists them."""

    id: str
    name: str
    description: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AgentCard:
    """What this client reads of an agent card: ``name``, ``description``, ``skills``,
    ``url`` (the JSON-RPC interface it calls), ``protocol_version``, ``streaming``, and
    ``raw``, the card's JSON as served."""

    name: str
    description: str
    url: str
    protocol_version: str
    skills: tuple[Skill, ...] = ()
    streaming: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def card_url_of(url: str) -> str:
    """The card's URL: ``url`` itself when it names a ``.json`` file (the card), else
    the well-known card path under ``url`` (a base URL)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AgentCardError(
            f"{url!r} is not an http(s) URL: pass the agent's base URL "
            f"(https://host/agent) or its card's URL (https://host/agent{CARD_PATH})"
        )
    if parts.path.endswith(".json"):
        return url
    return url.rstrip("/") + CARD_PATH


def read_card(data: Any, card_url: str) -> AgentCard:
    """The card in ``data`` (the JSON served at ``card_url``); ``AgentCardError`` when it
    is not a card or offers no interface this client speaks."""
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise AgentCardError(
            f"{card_url} is not an A2A agent card (a JSON object with a 'name')", url=card_url
        )
    interfaces = data.get("supportedInterfaces")
    if not isinstance(interfaces, list) or not interfaces:
        version = data.get("protocolVersion", "0.3")
        raise AgentCardError(
            f"the card at {card_url} is of A2A {version} (no 'supportedInterfaces'): this "
            f"client speaks {_SUPPORTED}",
            url=card_url,
        )
    offered = [i for i in interfaces if isinstance(i, dict)]
    json_rpc = [i for i in offered if str(i.get("protocolBinding", "")).upper() == "JSONRPC"]
    usable = [i for i in json_rpc if str(i.get("protocolVersion", "")).split(".")[0] == "1"]
    if not usable:
        found = ", ".join(
            f"{i.get('protocolBinding', '?')} {i.get('protocolVersion', '?')}" for i in offered
        )
        raise AgentCardError(
            f"the card at {card_url} offers {found or 'no interface'}: this client speaks "
            f"{_SUPPORTED}",
            url=card_url,
        )
    chosen = usable[0]
    endpoint = chosen.get("url")
    if not isinstance(endpoint, str) or not endpoint:
        raise AgentCardError(f"the card at {card_url} has a JSONRPC interface with no 'url'")
    capabilities = data.get("capabilities")
    return AgentCard(
        name=data["name"],
        description=str(data.get("description") or ""),
        url=urljoin(card_url, endpoint),
        protocol_version=str(chosen.get("protocolVersion")),
        skills=tuple(_skills(data.get("skills"))),
        streaming=isinstance(capabilities, dict) and capabilities.get("streaming") is True,
        raw=data,
    )


def _skills(found: Any) -> list[Skill]:
    skills = []
    for item in found if isinstance(found, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name") or item.get("id"), str):
            name = str(item.get("name") or item.get("id"))
            tags = tuple(str(t) for t in item.get("tags") or () if isinstance(t, str))
            skill_id = str(item.get("id") or name)
            skills.append(Skill(skill_id, name, str(item.get("description") or ""), tags))
    return skills
