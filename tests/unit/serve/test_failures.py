"""What a failed run's client reads, and the one log line the server writes about it."""

from __future__ import annotations

import logging

import pytest

from locus.core.errors import (
    ConfigurationError,
    ConnectError,
    FallbackError,
    RateLimitError,
    ServerError,
    StoreError,
)
from locus.serve._failures import client_message, log_failure, mask, request_id


def test_a_url_password_is_masked_wherever_it_is() -> None:
    text = "connect postgresql://app:s3cr%40t@db.internal:5432/x failed; redis://:pw@h/0 too"
    assert (
        mask(text) == "connect postgresql://app:***@db.internal:5432/x failed; redis://:***@h/0 too"
    )
    assert mask("postgresql://app@db/x and http://h:8080/p") == (
        "postgresql://app@db/x and http://h:8080/p"
    )


def test_a_stores_failure_is_told_by_its_type_and_a_models_as_it_is() -> None:
    store = StoreError("store postgresql://app:***@10.0.0.5/db: database 'db' does not exist")
    assert client_message(store) == (
        "internal error (StoreError): the server's log has the details"
    )
    assert client_message(KeyError("secret path")).startswith("internal error (KeyError)")
    model = ServerError("the model endpoint answered 500", status=500, request_id="R1")
    assert client_message(model) == "the model endpoint answered 500"


def test_the_request_id_is_found_on_a_cause_or_in_a_fallbacks_errors() -> None:
    inner = RateLimitError("slow down", status=429, request_id="REQ-1")
    try:
        try:
            raise inner
        except RateLimitError as exc:
            raise RuntimeError("wrapped") from exc
    except RuntimeError as wrapped:
        assert request_id(wrapped) == "REQ-1"
    assert request_id(FallbackError("all failed", errors=[ValueError("x"), inner])) == "REQ-1"
    assert request_id(ValueError("none")) is None


def test_only_429_and_5xx_failures_are_logged_once_without_passwords(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="locus.serve")
    log_failure("ops", "POST /v1/chat/completions", ConfigurationError("bad option"))
    assert caplog.records == []
    error = RuntimeError("could not reach postgresql://app:hunter2@db/x")
    log_failure("ops", "POST /v1/agents/ops/runs", error)
    (record,) = caplog.records
    assert record.levelno == logging.WARNING and record.name == "locus.serve"
    assert record.getMessage() == (
        "run of agent 'ops' failed on POST /v1/agents/ops/runs with 500: RuntimeError: "
        "could not reach postgresql://app:***@db/x"
    )


def test_a_models_failure_does_not_tell_the_client_the_models_address() -> None:
    endpoint = "http://10.0.3.4:8443/20231130/actions/chat"
    refused = ConnectError(
        f"connection failed (ConnectError: [Errno 111] Connection refused) calling {endpoint}",
        endpoint=endpoint,
        hint="nothing accepted the connection at 10.0.3.4:8443: check the host and port",
    )
    assert client_message(refused) == (
        "connection failed (ConnectError: [Errno 111] Connection refused) calling the model "
        "endpoint\nhint: nothing accepted the connection at the model endpoint: check the "
        "host and port"
    )
    status = ServerError(
        f"request failed: HTTP 500: boom (endpoint {endpoint}, opc-request-id R9)",
        status=500,
        request_id="R9",
        endpoint=endpoint,
    )
    assert client_message(status) == (
        "request failed: HTTP 500: boom (the model endpoint, opc-request-id R9)"
    )
