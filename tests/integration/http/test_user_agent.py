"""What a model's requests say about their client on the wire, on both backends: Locus's
``User-Agent`` (as the ``oci`` SDK forms its own), ``OCI_SDK_APPEND_USER_AGENT`` appended,
and OCI's ``opc-client-info``."""

from __future__ import annotations

import asyncio
import platform
import re
from functools import partial
from pathlib import Path

import pytest

from locus import __version__
from locus.core.messages import Message
from locus.emulator import Emulator
from tests.integration.conftest import OCIModelFactory
from tests.integration.http._hostile import chat_result, head, read_request
from tests.loopback import Server

HI = [Message.user("hi")]


async def _heads(oci_model: OCIModelFactory, backend: str, calls: int = 1) -> list[str]:
    """The request heads the server received from ``calls`` calls of one model."""
    heads: list[str] = []
    body = chat_result()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append((await read_request(reader)).decode("latin-1"))
        writer.write(head(200, f"Content-Length: {len(body)}", "Connection: close") + body)
        await writer.drain()

    async with Server(handle) as server:
        model = oci_model(service_endpoint=server.url, http_backend=backend)
        for _ in range(calls):
            assert (await model.complete(HI)).text == "hello"
        await model.aclose()
    return heads


def _header(raw: str, name: str) -> list[str]:
    return re.findall(rf"^{name}: (.*)\r$", raw, flags=re.IGNORECASE | re.MULTILINE)


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_requests_name_locus_and_its_version(
    oci_model: OCIModelFactory, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OCI_SDK_APPEND_USER_AGENT", raising=False)
    heads = await _heads(oci_model, backend, calls=2)
    expected = (
        f"locus-oci/{__version__} (python {platform.python_version()}; "
        f"{platform.machine()}-{platform.system()})"
    )
    for raw in heads:
        assert _header(raw, "user-agent") == [expected]  # once, and not python-httpx's
        assert _header(raw, "opc-client-info") == [f"locus-oci/{__version__}"]
        assert _header(raw, "authorization")[0].startswith('Signature algorithm="rsa-sha256"')


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_the_oci_sdk_variable_is_appended_to_the_user_agent(
    oci_model: OCIModelFactory, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OCI_SDK_APPEND_USER_AGENT", "team-blue/7")
    (raw,) = await _heads(oci_model, backend)
    (agent,) = _header(raw, "user-agent")
    assert agent.startswith(f"locus-oci/{__version__} (python ")
    assert agent.endswith(") team-blue/7")


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_the_profiles_additional_user_agent_comes_before_the_variable(
    oci_model: OCIModelFactory,
    emu: Emulator,
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """``additional_user_agent`` of the OCI config profile, as the ``oci`` SDK appends it."""
    monkeypatch.setenv("OCI_SDK_APPEND_USER_AGENT", "team-blue/7")
    text = Path(emu.config_file).read_text()
    section = f"[{emu.profile}]\n"
    assert section in text
    config = tmp_path / "config"
    config.write_text(text.replace(section, f"{section}additional_user_agent = ops-bot/2\n", 1))
    heads = await _heads(partial(oci_model, config_file=str(config)), backend, calls=2)
    for raw in heads:
        (agent,) = _header(raw, "user-agent")
        assert agent.startswith(f"locus-oci/{__version__} (python ")
        assert agent.endswith(") ops-bot/2 team-blue/7")
