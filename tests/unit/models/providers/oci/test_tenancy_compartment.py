"""No compartment_id anywhere: the profile's tenancy stands in, and that is said, once in
the log (INFO) and in every 404 hint."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from locus.core.errors import NotFoundError
from locus.core.messages import Message
from locus.models.http import RetryPolicy
from locus.models.providers.oci import OCIModel
from tests.unit.models.providers.oci.http_helpers import DAC, HOST, Recorder

SAID = "the request used the profile's tenancy as the compartment because no compartment_id"


def not_found(request: httpx.Request) -> httpx.Response:
    body = {"code": "NotAuthorizedOrNotFound", "message": "Authorization failed or not found"}
    return httpx.Response(404, json=body)


def model(oci_dir: Path, compartment_id: str | None = None) -> OCIModel:
    return OCIModel(
        model_id=DAC,
        config_file=oci_dir / "config",
        service_endpoint=HOST,
        transport=httpx.MockTransport(not_found),
        retry_policy=RetryPolicy(sleep=Recorder()),
        compartment_id=compartment_id,
    )


@pytest.fixture(autouse=True)
def no_compartment_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OCI_COMPARTMENT_ID", raising=False)


async def test_the_tenancy_is_named_in_the_log_once_and_in_every_404(
    oci_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="locus.models.oci")
    chat = model(oci_dir)
    for _ in range(2):
        with pytest.raises(NotFoundError) as caught:
            await chat.complete([Message.user("hi")])
        assert caught.value.hint is not None and SAID in caught.value.hint
        assert "pass compartment_id=... or set OCI_COMPARTMENT_ID" in caught.value.hint
    told = [r for r in caplog.records if "tenancy" in r.getMessage()]
    assert len(told) == 1 and told[0].levelno == logging.INFO
    assert "no compartment_id was given" in told[0].getMessage()


async def test_a_given_compartment_is_neither_logged_nor_hinted(
    oci_dir: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO, logger="locus.models.oci")
    for chat in (model(oci_dir, compartment_id="ocid1.compartment.oc1..c"), model(oci_dir)):
        monkeypatch.setenv("OCI_COMPARTMENT_ID", "ocid1.compartment.oc1..env")
        with pytest.raises(NotFoundError) as caught:
            await chat.complete([Message.user("hi")])
        assert caught.value.hint is not None and SAID not in caught.value.hint
    assert not [r for r in caplog.records if "tenancy" in r.getMessage()]
