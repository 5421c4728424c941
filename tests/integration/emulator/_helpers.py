"""Test helpers: official-SDK clients and an independent OCI request signer for raw requests."""

from __future__ import annotations

import base64
import configparser
import hashlib
import json
from collections.abc import Generator
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

import httpx
import httpx2
import oci
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from locus.emulator import Emulator

MODELS = oci.generative_ai_inference.models
SIGNED_POST = "date (request-target) host content-length content-type x-content-sha256"


OPEN_CLIENTS: list[Any] = []
"""SDK clients made by a test; ``conftest.py`` closes their sessions after it."""


def track(client: Any) -> Any:
    """Register an SDK client so its HTTP session is closed when the test ends."""
    OPEN_CLIENTS.append(client)
    return client


def sdk_client(emu: Emulator, retries: bool = False) -> Any:
    """The official GenerativeAiInferenceClient pointed at ``emu`` (no retries unless asked)."""
    config = oci.config.from_file(emu.config_file, emu.profile)
    strategy = oci.retry.DEFAULT_RETRY_STRATEGY if retries else oci.retry.NoneRetryStrategy()
    return track(
        oci.generative_ai_inference.GenerativeAiInferenceClient(
            config, service_endpoint=emu.service_endpoint, retry_strategy=strategy, timeout=(5, 30)
        )
    )


def user_text(text: str) -> Any:
    """A GENERIC USER message."""
    return MODELS.UserMessage(content=[MODELS.TextContent(text=text)])


def on_demand(model: str) -> Any:
    """On-demand serving mode."""
    return MODELS.OnDemandServingMode(model_id=model)


def dedicated(ocid: str) -> Any:
    """DAC serving mode."""
    return MODELS.DedicatedServingMode(endpoint_id=ocid)


def details(emu: Emulator, serving_mode: Any, chat_request: Any) -> Any:
    """ChatDetails in the emulator's compartment."""
    return MODELS.ChatDetails(
        compartment_id=emu.compartment_id, serving_mode=serving_mode, chat_request=chat_request
    )


def add_tool() -> Any:
    """The seed notebook's ``add_two_numbers`` tool, GENERIC form."""
    return MODELS.FunctionDefinition(
        name="add_two_numbers",
        description="Return the sum of two integers.",
        parameters={
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        },
    )


SEED_PROMPT = "Use the add_two_numbers tool to add 7 and 35, then state the result in one sentence."


def events(response: Any) -> list[dict[str, Any]]:
    """The JSON events of an SDK streaming response (skipping ``[DONE]``)."""
    return [json.loads(e.data) for e in response.data.events() if e.data != "[DONE]"]


class Signer:
    """Signs raw requests like an OCI API-key signer (wire-spec §6), with a settable date."""

    def __init__(self, config_file: str, profile: str = "DEFAULT", key: Any = None) -> None:
        config = configparser.ConfigParser(interpolation=None)
        config.read(config_file)
        section = config[profile]
        if key is None:
            with open(section["key_file"], "rb") as handle:
                key = serialization.load_pem_private_key(handle.read(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        self.key = key
        self.key_id = f"{section['tenancy']}/{section['user']}/{section['fingerprint']}"

    def headers(self, url: str, body: bytes, date: str | None = None) -> dict[str, str]:
        """Signed headers for a POST of ``body`` to ``url``."""
        parts = urlsplit(url)
        headers = {
            "date": date or formatdate(usegmt=True),
            "host": parts.netloc,
            "content-length": str(len(body)),
            "content-type": "application/json",
            "x-content-sha256": base64.b64encode(hashlib.sha256(body).digest()).decode(),
        }
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        lines = [f"date: {headers['date']}", f"(request-target): post {target}"]
        lines += [f"{name}: {headers[name]}" for name in SIGNED_POST.split()[2:]]
        raw = self.key.sign("\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
        headers["authorization"] = (
            f'Signature version="1",headers="{SIGNED_POST}",keyId="{self.key_id}",'
            f'algorithm="rsa-sha256",signature="{base64.b64encode(raw).decode()}"'
        )
        return headers

    def post(self, url: str, body: bytes, date: str | None = None, **extra: str) -> httpx.Response:
        """POST ``body`` signed (extra headers are added after signing)."""
        headers = {**self.headers(url, body, date), **extra}
        return httpx.post(url, content=body, headers=headers, timeout=10)


class SignedAuth(httpx2.Auth):
    """An auth flow that OCI-signs each request (for the openai client, which uses httpx2)."""

    requires_request_body = True

    def __init__(self, signer: Signer) -> None:
        self._signer = signer

    def auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
        """Replace Authorization with an OCI signature."""
        request.headers.pop("authorization", None)
        request.headers.update(self._signer.headers(str(request.url), request.content))
        yield request


def chat_body(emu: Emulator, text: str = "Hello", **chat_request: Any) -> dict[str, Any]:
    """A raw GENERIC ChatDetails body for an on-demand model."""
    request = {
        "apiFormat": "GENERIC",
        "messages": [{"role": "USER", "content": [{"type": "TEXT", "text": text}]}],
        **chat_request,
    }
    return {
        "compartmentId": emu.compartment_id,
        "servingMode": {"servingType": "ON_DEMAND", "modelId": "meta.llama-3.3-70b-instruct"},
        "chatRequest": request,
    }
