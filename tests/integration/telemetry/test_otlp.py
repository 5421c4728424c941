"""The exported bytes, not our objects: one traced run (two tool calls, then a sub-agent
on the emulator) sent by the OTLP/HTTP exporter to a loopback receiver, decoded with
``opentelemetry-proto`` and checked field by field against the GenAI conventions; and the
sub-agent's chat request, read off the wire by a relay in front of the emulator, carries
the W3C ``traceparent`` of its ``chat`` span."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

import locus
from locus import telemetry
from locus.agent import Agent
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.emulator import Emulator
from locus.testing import FunctionModel, Turn
from locus.tools.decorator import tool

from ..conftest import ON_DEMAND, OCIModelFactory
from ._relay import Relay


class Receiver(ThreadingHTTPServer):
    """An OTLP/HTTP trace endpoint on loopback that keeps each request it gets."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str, bytes]] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1/traces"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        self.server.requests.append((self.path, self.headers["content-type"], body))
        answer = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(30)
    assert not thread.is_alive(), "the collector thread did not stop within 30 s"


@pytest.fixture
def relay(emu: Emulator) -> Iterator[Relay]:
    """A byte relay in front of the emulator (to read the headers that reach it)."""
    place = urlsplit(emu.service_endpoint)
    assert place.hostname is not None and place.port is not None
    server = Relay((place.hostname, place.port))
    yield server
    server.close()


@tool
async def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@tool
async def clock(city: str) -> str:
    """The time in a city."""
    return f"noon in {city}"


def _boss(messages: list[Message], tools: list[ToolSpec]) -> Turn:
    results = [m for m in messages if m.role == "tool"]
    if not results:
        return [
            ToolCall("call_w", "weather", {"city": "Oslo"}),
            ToolCall("call_c", "clock", {"city": "Oslo"}),
        ]
    if len(results) == 2:
        return ToolCall("call_g", "geographer", {"input": "What is the capital of Norway?"})
    return "Sunny, noon, and Oslo is the capital."


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    assert kind is not None
    if kind == "array_value":
        return tuple(_value(v) for v in value.array_value.values)
    return getattr(value, kind)


def _attributes(span: Span) -> dict[str, Any]:
    return {kv.key: _value(kv.value) for kv in span.attributes}


async def test_a_traced_run_arrives_over_otlp_http(
    emu: Emulator, oci_model: OCIModelFactory, receiver: Receiver, relay: Relay
) -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": "otlp-test"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=receiver.endpoint)))
    telemetry.instrument(tracer_provider=provider)
    try:
        geographer = Agent(
            model=oci_model(service_endpoint=relay.url),
            name="geographer",
            description="Geography answers.",
        )
        boss = Agent(
            model=FunctionModel(_boss, model_id="boss-model"),
            name="boss",
            tools=[weather, clock, geographer.as_tool()],
        )
        result = await boss.arun("Weather, time and capital?")
    finally:
        telemetry.uninstrument()
        assert provider.force_flush()
        provider.shutdown()
    assert result.message == "Sunny, noon, and Oslo is the capital."

    assert receiver.requests and all(
        (path, kind) == ("/v1/traces", "application/x-protobuf")
        for path, kind, _ in receiver.requests
    )
    spans: dict[str, Span] = {}
    for _, _, body in receiver.requests:
        export = ExportTraceServiceRequest.FromString(body)
        for resource_spans in export.resource_spans:
            resource = {kv.key: _value(kv.value) for kv in resource_spans.resource.attributes}
            assert resource["service.name"] == "otlp-test"
            for scope_spans in resource_spans.scope_spans:
                assert (scope_spans.scope.name, scope_spans.scope.version) == (
                    "locus",
                    locus.__version__,
                )
                for span in scope_spans.spans:
                    count = sum(1 for n in spans if n.split(" #")[0] == span.name)
                    spans[f"{span.name} #{count + 1}" if count else span.name] = span
    assert sorted(spans) == [
        "chat boss-model",
        "chat boss-model #2",
        "chat boss-model #3",
        f"chat {ON_DEMAND}",
        "execute_tool clock",
        "execute_tool geographer",
        "execute_tool weather",
        "invoke_agent boss",
        "invoke_agent geographer",
    ]

    root = spans["invoke_agent boss"]
    assert root.parent_span_id == b""
    assert len({s.trace_id for s in spans.values()}) == 1 and len(root.trace_id) == 16
    assert root.kind == Span.SpanKind.SPAN_KIND_INTERNAL
    assert _attributes(root) == {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "boss",
        "gen_ai.provider.name": "locus.testing._function",
        "gen_ai.request.model": "boss-model",
        "gen_ai.usage.input_tokens": result.usage.prompt_tokens,
        "gen_ai.usage.output_tokens": result.usage.completion_tokens,
    }
    for name in ("execute_tool weather", "execute_tool clock", "execute_tool geographer"):
        assert spans[name].parent_span_id == root.span_id
        assert spans[name].kind == Span.SpanKind.SPAN_KIND_INTERNAL
    assert _attributes(spans["execute_tool clock"]) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "clock",
        "gen_ai.tool.call.id": "call_c",
        "gen_ai.tool.type": "function",
    }
    boss_chats = [s for n, s in spans.items() if n.startswith("chat boss-model")]
    assert [s.parent_span_id for s in boss_chats] == [root.span_id] * 3
    assert all(s.kind == Span.SpanKind.SPAN_KIND_CLIENT for s in boss_chats)

    sub = spans["invoke_agent geographer"]
    assert sub.parent_span_id == spans["execute_tool geographer"].span_id
    sub_chat = spans[f"chat {ON_DEMAND}"]
    assert sub_chat.parent_span_id == sub.span_id
    attributes = _attributes(sub_chat)
    request_id = attributes.pop("oci.request_id")
    assert request_id in {r.request_id for r in emu.requests if r.operation == "chat"}
    assert attributes == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "oci.genai",
        "gen_ai.request.model": ON_DEMAND,
        "gen_ai.response.model": ON_DEMAND,
        "gen_ai.response.id": request_id,
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": attributes["gen_ai.usage.input_tokens"],
        "gen_ai.usage.output_tokens": attributes["gen_ai.usage.output_tokens"],
        "oci.serving_mode": "ON_DEMAND",
        "cloud.region": emu.region,
        "server.address": "127.0.0.1",
        "server.port": attributes["server.port"],
    }
    assert attributes["gen_ai.usage.input_tokens"] > 0 < attributes["gen_ai.usage.output_tokens"]
    for span in spans.values():
        assert span.status.code != Status.StatusCode.STATUS_CODE_ERROR
        assert span.end_time_unix_nano >= span.start_time_unix_nano > 0

    # W3C trace context reached the emulator: the chat request's traceparent is its span's
    (sent,) = [r for r in relay.requests() if r.path.endswith("/actions/chat")]
    assert request_id.startswith(sent.headers["opc-request-id"] + "/")  # the server adds its part
    version, trace_id, span_id, flags = sent.headers["traceparent"].split("-")
    assert (version, trace_id, span_id) == ("00", sub_chat.trace_id.hex(), sub_chat.span_id.hex())
    assert int(flags, 16) & 0x01  # sampled
