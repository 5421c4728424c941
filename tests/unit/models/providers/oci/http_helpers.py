"""Shared pieces of the OCIModel-over-MockTransport tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from locus.core.toolspec import ToolSpec
from locus.models.http import RetryPolicy
from locus.models.providers.oci import OCIModel

DAC = "ocid1.generativeaiendpoint.oc1.uk-london-1.amaaaaaaexampleendpointid"
HOST = "https://inference.generativeai.uk-london-1.oci.oraclecloud.com"
ADD = ToolSpec(
    "add_two_numbers",
    "Add.",
    {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}},
)
Handler = Callable[[httpx.Request], httpx.Response]


def chat_result(text: str, finish: str = "stop") -> dict[str, Any]:
    return {
        "modelId": "m",
        "modelVersion": "1",
        "chatResponse": {
            "apiFormat": "GENERIC",
            "timeCreated": "2025-06-01T12:00:00.123Z",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": text}]},
                    "finishReason": finish,
                }
            ],
            "usage": {"promptTokens": 3, "completionTokens": 4, "totalTokens": 7},
        },
    }


def sse(*events: dict[str, Any]) -> bytes:
    return b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)


def delta(text: str, **extra: Any) -> dict[str, Any]:
    message = {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": text}]}
    return {"index": 0, "message": message, **extra}


COUNT = [
    delta("1, "),
    delta("2, 3"),
    delta("", finishReason="stop"),
    {"usage": {"promptTokens": 2, "completionTokens": 5, "totalTokens": 7}},
]


class Recorder:
    """A sleep function that records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_model(oci_dir: Path, handler: Handler, **options: Any) -> OCIModel:
    options.setdefault("retry_policy", RetryPolicy(sleep=Recorder()))
    return OCIModel(
        model_id=DAC,
        compartment_id="ocid1.compartment.oc1..c",
        config_file=oci_dir / "config",
        service_endpoint=HOST,
        transport=httpx.MockTransport(handler),
        **options,
    )
