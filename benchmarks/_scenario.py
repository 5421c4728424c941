"""The measured scenario: a real ``OCIModel`` on an emulator DAC endpoint, one tool, one agent.

The agent run is the seed's Part 5 shape: one tool call, then the answer (two signed,
streamed chat calls). ``RawClient`` is the limit it is compared with: the same request
bodies, signed with our ``RequestSigner`` and sent with a bare ``httpx.AsyncClient``.
"""

from __future__ import annotations

import configparser
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from locus.agent import Agent
from locus.models.providers.oci import OCIAuthType, OCIModel
from locus.models.providers.oci.signer import RequestSigner, load_private_key
from locus.tools import tool

__all__ = [
    "ENDPOINT_STYLE",
    "PROMPT",
    "SYSTEM_PROMPT",
    "RawClient",
    "RawSigner",
    "RecordingTransport",
    "add_two_numbers",
    "build_agent",
    "build_model",
    "capture_bodies",
    "endpoint_ocid",
]

ENDPOINT_STYLE = "native"
"""The emulator DAC endpoint used: structured (native) tool calls, GENERIC format."""
PROMPT = "Use the add_two_numbers tool to add 7 and 35, then state the result in one sentence."
SYSTEM_PROMPT = "You can call add_two_numbers when asked to add. Reply briefly."


@tool(name="add_two_numbers")
def add_two_numbers(a: int, b: int) -> int:
    """Return the sum of two integers."""
    return a + b


class RecordingTransport(httpx.AsyncHTTPTransport):
    """An ordinary pooled transport that keeps a copy of every request body it sends."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bodies: list[bytes] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(request.content)
        return await super().handle_async_request(request)


def endpoint_ocid(info: dict[str, Any], style: str = ENDPOINT_STYLE) -> str:
    """The OCID of the emulator's first DAC endpoint with tool-call ``style``."""
    for endpoint in info["endpoints"]:
        if endpoint["tool_call_style"] == style:
            return str(endpoint["ocid"])
    raise LookupError(f"the emulator lists no endpoint with tool_call_style {style!r}")


def build_model(info: dict[str, Any], **options: Any) -> OCIModel:
    """An ``OCIModel`` on the emulator's DAC endpoint, signed with its API key profile."""
    return OCIModel(
        endpoint_ocid(info),
        compartment_id=info["compartment_id"],
        profile_name=info["profile"],
        config_file=info["config_file"],
        auth_type=OCIAuthType.API_KEY,
        service_endpoint=info["service_endpoint"],
        **options,
    )


@tool(name="add_two_numbers")
async def add_two_numbers_async(a: int, b: int) -> int:
    """Return the sum of two integers."""
    return a + b


def build_agent(model: OCIModel, *, async_tool: bool = False) -> Agent:
    """The seed's Part 5 agent around ``model`` (its sync tool, or the same tool as async)."""
    add = add_two_numbers_async if async_tool else add_two_numbers
    return Agent(model, tools=[add], system_prompt=SYSTEM_PROMPT, max_iterations=4)


async def capture_bodies(info: dict[str, Any]) -> list[bytes]:
    """The request bodies of one agent run, recorded on the wire."""
    transport = RecordingTransport()
    agent = build_agent(build_model(info, transport=transport))
    try:
        result = await agent.arun(PROMPT)
    finally:
        await agent.aclose()
    if result.metrics.tool_calls != 1 or len(transport.bodies) != 2:
        raise RuntimeError(
            f"expected one tool call and two chat calls, got {result.metrics.tool_calls} "
            f"and {len(transport.bodies)}"
        )
    return transport.bodies


class RawSigner:
    """Our ``RequestSigner`` for the emulator's chat URL, nothing else."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.url = f"{info['service_endpoint']}/20231130/actions/chat"
        parts = urlsplit(self.url)
        self._target, self._host = parts.path, parts.netloc
        self._signer = _signer(info["config_file"], info["profile"])

    def sign(self, body: bytes) -> dict[str, str]:
        """The signed headers for ``body``."""
        return self._signer.sign("POST", self._target, self._host, body)

    def headers(self, body: bytes) -> dict[str, str]:
        """The signed headers plus OCI's request id and retry token, as the model sends."""
        headers = self.sign(body)
        headers["opc-request-id"] = secrets.token_hex(16).upper()
        headers["opc-retry-token"] = secrets.token_urlsafe(22)[:30]
        headers["opc-client-retries"] = "true"
        return headers


class RawClient:
    """The raw-HTTP limit: sign with ``RequestSigner``, POST with a bare ``httpx.AsyncClient``."""

    def __init__(self, info: dict[str, Any]) -> None:
        self._signer = RawSigner(info)
        self.url = self._signer.url
        self.client = httpx.AsyncClient()

    async def post(self, body: bytes) -> bytes:
        """Sign and send ``body``; return the whole answer (a JSON body or an SSE stream)."""
        headers = self._signer.headers(body)
        response = await self.client.post(self.url, content=body, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"raw request failed with HTTP {response.status_code}")
        return response.content

    def sign(self, body: bytes) -> dict[str, str]:
        """The signed headers for ``body``."""
        return self._signer.sign(body)

    async def aclose(self) -> None:
        """Close the client."""
        await self.client.aclose()


def _signer(config_file: str, profile: str) -> RequestSigner:
    config = configparser.ConfigParser(interpolation=None)
    config.read(config_file)
    section = config[profile]
    key_id = f"{section['tenancy']}/{section['user']}/{section['fingerprint']}"
    return RequestSigner(key_id, load_private_key(Path(section["key_file"])))
