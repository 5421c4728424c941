"""Secrets sweep: runs in every auth mode that works offline, logging at DEBUG.

Key material (PEM body fragments), session tokens, API keys, request signatures and
``Authorization`` values must not appear in log records, reprs, exception texts or
events — on success, on retries, and on authentication failures.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets as random_secrets
import time
from pathlib import Path
from typing import Any

import pytest

from locus.agent import Agent
from locus.core.errors import LocusError
from locus.core.messages import Message
from locus.emulator import Emulator
from locus.models.http import RetryPolicy
from locus.models.providers.oci import OCIAuthType, OCIChatCompletionsModel, OCIModel
from locus.tools import tool
from tests.integration.conftest import OCIModelFactory
from tests.integration.reliability._secrets import RecordingTransport, Secrets, describe_exception
from tests.integration.reliability.conftest import no_sleep

SEED = "Use the add_two_numbers tool to add 7 and 35, then state the result in one sentence."
Place = tuple[str, str]


@tool
def add_two_numbers(a: int, b: int) -> int:
    """Return the sum of two integers."""
    return a + b


class Sweep:
    """Collects every text a run shows, and the secrets it must not show."""

    def __init__(self, emu: Emulator) -> None:
        self.secrets = Secrets()
        self.places: list[Place] = []
        self.transport = RecordingTransport()
        self.secrets.add_pem("the private key", Path(emu.config_file).parent / "key.pem")
        self.secrets.add("the emulator API key", emu.api_key)

    def show(self, place: str, *objects: Any) -> None:
        self.places += [(place, repr(item)) for item in objects]

    async def run(self, place: str, model: Any, *, agent: bool = True) -> None:
        """complete(), stream() and an agent run; errors are swept, not raised."""
        try:
            self.show(f"{place} complete()", await model.complete([Message.user(SEED)]))
            self.show(f"{place} stream()", *[e async for e in model.stream([Message.user(SEED)])])
            if agent:
                events = [e async for e in Agent(model, [add_two_numbers]).run(SEED)]
                self.show(f"{place} agent events", *events)
        except LocusError as exc:
            self.places += [(f"{place} {where}", text) for where, text in describe_exception(exc)]
        finally:
            self.show_objects(place, model)
            await model.aclose()

    def show_objects(self, place: str, model: Any) -> None:
        """Reprs of the model and of the objects that hold credentials (once loaded)."""
        connection = getattr(model, "connection", None)
        auth = getattr(connection, "_auth", None) or getattr(model, "_auth", lambda: None)()
        signer = getattr(auth, "_signer", None)
        self.show(f"repr of {place}", model, connection, auth, signer)
        self.show(f"repr of {place} profile", getattr(connection, "profile", None))
        self.places.append((f"str of {place}", str(model)))

    def leaks(self, caplog: pytest.LogCaptureFixture) -> list[str]:
        for value in self.transport.authorizations:
            self.secrets.add_authorization(value)
        records = [
            (f"log record {r.name}:{r.lineno}", r.getMessage() + (r.exc_text or ""))
            for r in caplog.records
        ]
        return self.secrets.leaks([*self.places, *records, ("log text", caplog.text)])


def b64_json(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def session_profile(emu: Emulator, tmp_path: Path, sweep: Sweep) -> str:
    """A config whose [SESSION] profile signs with a (not accepted) session token."""
    claims = b64_json({"exp": 4102444800})
    token = f"{b64_json({'alg': 'RS256'})}.{claims}.{random_secrets.token_urlsafe(32)}"
    (tmp_path / "token").write_text(token)
    sweep.secrets.add("the session token", token)
    sweep.secrets.add("the session token signature", token.rsplit(".", 1)[1])
    key_file = Path(emu.config_file).parent / "key.pem"
    config = tmp_path / "config"
    config.write_text(
        f"[SESSION]\ntenancy=ocid1.tenancy.oc1..aaaaaaaasessiontenancy\nregion={emu.region}\n"
        f"key_file={key_file}\nsecurity_token_file={tmp_path / 'token'}\n"
    )
    return str(config)


@pytest.fixture
def sweep(emu: Emulator, caplog: pytest.LogCaptureFixture) -> Sweep:
    caplog.set_level(logging.DEBUG)
    return Sweep(emu)


def _swept(oci_model: OCIModelFactory, sweep: Sweep, **options: Any) -> OCIModel:
    """A model whose every request goes through the sweep's recording transport."""
    policy = RetryPolicy(base_delay=0.01, sleep=no_sleep)
    return oci_model(transport=sweep.transport, retry_policy=policy, **options)


async def test_api_key_signing_with_retries(
    emu: Emulator, oci_model: OCIModelFactory, sweep: Sweep, caplog: pytest.LogCaptureFixture
) -> None:
    emu.set_faults(["429_retry_after", "reset_before", "ok", "503", "reset_during"])
    await sweep.run("API key OCIModel", _swept(oci_model, sweep, auth_type=OCIAuthType.API_KEY))
    sent = len(sweep.transport.authorizations)  # never put the values in an assert
    assert sent >= 5
    assert set(emu.fired_faults) == {"429_retry_after", "reset_before", "503", "reset_during"}
    assert sweep.leaks(caplog) == []


async def test_api_key_signing_errors(
    emu: Emulator,
    oci_model: OCIModelFactory,
    sweep: Sweep,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    wrong = _swept(oci_model, sweep, auth_type=OCIAuthType.API_KEY, max_retries=0)
    wrong.connection._compartment = "ocid1.compartment.oc1..aaaaaaaawrong"
    await sweep.run("API key OCIModel, wrong compartment", wrong, agent=False)
    text = Path(emu.config_file).read_text().replace("fingerprint=", "fingerprint=00:")
    (tmp_path / "config").write_text(text)
    bad = _swept(
        oci_model, sweep, auth_type=OCIAuthType.API_KEY, config_file=str(tmp_path / "config")
    )
    await sweep.run("API key OCIModel, bad fingerprint", bad, agent=False)
    assert sweep.leaks(caplog) == []


async def test_session_token_signing(
    emu: Emulator,
    oci_model: OCIModelFactory,
    sweep: Sweep,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    config = session_profile(emu, tmp_path, sweep)
    model = _swept(oci_model, sweep, config_file=config, profile_name="SESSION", auth_type=None)
    await sweep.run("session-token OCIModel", model, agent=False)
    session_signed = sum('keyId="ST$' in a for a in sweep.transport.authorizations)
    assert session_signed >= 1  # signed with ST$<token>, refused (the emulator never issued it)
    assert sweep.leaks(caplog) == []


async def test_resource_principal_signing(
    emu: Emulator,
    oci_model: OCIModelFactory,
    sweep: Sweep,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    claims = {"exp": int(time.time()) + 3600, "res_tenant": "ocid1.tenancy.oc1..aaaaaaaarp"}
    token = f"{b64_json({'alg': 'RS256'})}.{b64_json(claims)}.{random_secrets.token_urlsafe(32)}"
    sweep.secrets.add("the resource principal token", token)
    sweep.secrets.add("the resource principal token signature", token.rsplit(".", 1)[1])
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_VERSION", "2.2")
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_RPST", token)
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM", str(emu.state_dir / "key.pem"))
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_REGION", emu.region)
    model = _swept(oci_model, sweep, auth_type=OCIAuthType.RESOURCE_PRINCIPAL)
    await sweep.run("resource-principal OCIModel", model, agent=False)
    principal_signed = sum('keyId="ST$' in a for a in sweep.transport.authorizations)
    assert principal_signed >= 1  # signed with the RPST, refused (the emulator never issued it)
    assert sweep.leaks(caplog) == []


async def test_bearer_api_key_and_signed_chat_completions(
    emu: Emulator, sweep: Sweep, caplog: pytest.LogCaptureFixture
) -> None:
    common: dict[str, Any] = {
        "service_endpoint": emu.service_endpoint,
        "transport": sweep.transport,
    }
    bearer = OCIChatCompletionsModel("xai.grok-4", api_key=emu.api_key, **common)
    await sweep.run("bearer OCIChatCompletionsModel", bearer)
    wrong_key = "locus-emu-" + random_secrets.token_urlsafe(24)
    sweep.secrets.add("a wrong API key", wrong_key)
    wrong = OCIChatCompletionsModel("xai.grok-4", api_key=wrong_key, max_retries=0, **common)
    await sweep.run("bearer OCIChatCompletionsModel, wrong key", wrong, agent=False)
    signed = OCIChatCompletionsModel(
        "xai.grok-4",
        compartment_id=emu.compartment_id,
        config_file=emu.config_file,
        profile_name=emu.profile,
        **common,
    )
    await sweep.run("signed OCIChatCompletionsModel", signed)
    bearer_sent = sum(a.lower().startswith("bearer ") for a in sweep.transport.authorizations)
    assert bearer_sent >= 3
    assert sweep.leaks(caplog) == []


def test_the_sweep_finds_what_it_looks_for(emu: Emulator, sweep: Sweep) -> None:
    pem = (Path(emu.config_file).parent / "key.pem").read_text().splitlines()
    sweep.show("a careless repr", {"key": pem[5]})
    sweep.secrets.add_authorization('Signature version="1",signature="c2lnbmF0dXJlLWJ5dGVz"')
    sweep.places.append(("a careless log", "signed with c2lnbmF0dXJlLWJ5dGVz"))
    found = sweep.secrets.leaks(sweep.places)
    assert any(item.startswith("the private key fragment") for item in found)
    assert "a request signature in a careless log" in found


async def test_debug_logging_was_really_captured(
    emu: Emulator, oci_model: OCIModelFactory, sweep: Sweep, caplog: pytest.LogCaptureFixture
) -> None:
    emu.set_faults(["503"])
    await sweep.run("API key OCIModel", _swept(oci_model, sweep), agent=False)
    assert emu.fired_faults == {"503": 1}
    names = {record.name for record in caplog.records if record.levelno == logging.DEBUG}
    assert {"locus.models.http", "httpcore.http11"} <= names
