"""The request parsers under attack, as bounded ``hypothesis`` properties over the real app.

Arbitrary and adversarial bodies (wrong types at every field, NaN/Infinity and 1e999,
lone surrogates as ``\\ud800`` escapes, deep nesting, unknown roles and content parts,
tool results for no call, empty messages, non-JSON bytes, wrong content types), ids and
headers go to the chat-completions, AG-UI, approvals and thread routes. The contract:
every answer is a success, or a 4xx whose JSON error says what is wrong; never a 5xx,
never an exception out of the app or an error in the log, never a hang; a success's
stream is JSON events without an error among them; and a refused request leaves no run
open, no thread written and a paused run still waiting.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from locus.agent import Agent
from locus.serve import create_app
from locus.stores import InMemoryThreadStore
from locus.testing import FunctionModel
from tests.unit.serve.conftest import adding_agent
from tests.unit.serve.test_approvals import delete_file, deleter, ran

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
TIMEOUT = 10.0
"""Seconds one request may take (a hang fails the property instead of the suite)."""

# -- values -------------------------------------------------------------------------

_SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
TEXT = st.text(st.one_of(st.characters(), _SURROGATE), max_size=12)
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
JUNK = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
"""Any JSON-ish value, NaN and Infinity included (written as their non-JSON literals)."""


CALL_ID = st.sampled_from(["c1", "c2", "call-9"])
URL = st.sampled_from(["https://example.com/a.png", "data:image/png;base64,iVBORw0KGgo="])
PART = st.one_of(
    st.fixed_dictionaries({"type": st.just("text"), "text": TEXT}),
    st.fixed_dictionaries(
        {"type": st.just("image_url"), "image_url": st.fixed_dictionaries({"url": URL})}
    ),
)
CONTENT = st.one_of(TEXT, st.lists(PART, min_size=1, max_size=2))
USER = st.fixed_dictionaries({"role": st.just("user"), "content": CONTENT})
OTHER = st.fixed_dictionaries(
    {"role": st.sampled_from(["system", "developer", "assistant"]), "content": TEXT}
)


@st.composite
def _history(draw: st.DrawFn) -> list[Any]:
    """Plausible messages ending with the user's: some text turns, and a call answered."""
    out: list[Any] = draw(st.lists(st.one_of(USER, OTHER), max_size=2))
    if draw(st.booleans()):
        call_id = draw(CALL_ID)
        arguments = json.dumps({"a": draw(st.integers()), "b": 2})
        function = {"name": "add_two_numbers", "arguments": arguments}
        call = {"id": call_id, "type": "function", "function": function}
        out.append({"role": "assistant", "content": None, "tool_calls": [call]})
        out.append({"role": "tool", "content": draw(TEXT), "tool_call_id": call_id})
    return [*out, draw(USER)]


THREAD = st.sampled_from(["t1", "u1/a", "paused-completion-x"])
CHAT = st.fixed_dictionaries(
    {"model": st.just("adder"), "messages": _history()},
    optional={
        "stream": st.booleans(),
        "stream_options": st.fixed_dictionaries({"include_usage": st.booleans()}),
        "thread_id": THREAD,
        "temperature": st.floats(0, 2),
        "user": TEXT,
    },
)
DECISION = st.one_of(
    st.fixed_dictionaries(
        {"approved": st.just(True)}, optional={"arguments": st.just({"path": "/tmp/y"})}
    ),
    st.fixed_dictionaries({"approved": st.just(False)}, optional={"reason": TEXT}),
)
RESUME = st.fixed_dictionaries(
    {"interruptId": CALL_ID, "payload": DECISION},
    optional={"status": st.sampled_from(["resolved", "cancelled"])},
)
RUN_INPUT = st.fixed_dictionaries(
    {"messages": _history()},
    optional={
        "threadId": THREAD,
        "runId": st.just("r1"),
        "resume": st.lists(RESUME, min_size=1, max_size=2),
        "tools": st.just([]),
        "context": st.just([]),
        "state": st.just({}),
    },
)
APPROVALS = st.fixed_dictionaries({"approvals": st.fixed_dictionaries({"call-9": DECISION})})
SPECIAL: st.SearchStrategy[Any] = st.sampled_from(
    [None, "", [], {}, "\ud800", "x\udfffy", 0, -1, 10**400, 1e308, True, "NaN", [[[]]]]
)
REPLACEMENT = st.one_of(SPECIAL, JUNK).map(copy.deepcopy)  # (never edit a shared value)
CONTENT_TYPE = st.sampled_from(
    [
        "application/json",
        "application/json",
        "application/json",
        "application/json; charset=utf-8",
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/ld+json",
        "json",
        "",
    ]
)


def _paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in ``value`` (a key of an object or an index of an array)."""
    out = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*here, index))
    return out


@st.composite
def mutated(draw: st.DrawFn, shape: st.SearchStrategy[Any]) -> Any:
    """A value of ``shape`` (a valid request), then up to three edits at random places:
    a value replaced by junk (wrong types, NaN, surrogates, huge numbers), a member
    removed, or one added."""
    value = copy.deepcopy(draw(shape))  # (a ``just`` value is one object: never edit it)
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(_paths(value)))
        if not path:
            value = draw(REPLACEMENT)
            continue
        parent = value
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
        if action == "remove":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.one_of(TEXT, st.sampled_from(["role", "content", "tool_calls"])))] = (
                draw(REPLACEMENT)
            )
        else:
            parent[path[-1]] = draw(REPLACEMENT)
    return value


@st.composite
def bodies(draw: st.DrawFn, shape: st.SearchStrategy[Any]) -> bytes:
    """A request body: ``mutated(shape)`` written with NaN/Infinity literals and
    ``\\udXXX`` escapes, or one mangled: nested deep at one member, cut short, any bytes,
    or padded near the size limit."""
    value = draw(mutated(shape))
    text = json.dumps(value, ensure_ascii=True, allow_nan=True)
    mangle = draw(st.sampled_from(["none"] * 6 + ["deep", "cut", "bytes", "giant"]))
    if mangle == "deep" and isinstance(value, dict) and value:
        key = draw(st.sampled_from(sorted(value)))
        depth = draw(st.sampled_from([127, 128, 129, 1_000, 100_000]))
        if draw(st.booleans()):
            inner = "[" * depth + "]" * depth
        else:
            inner = '{"a":' * depth + "1" + "}" * depth
        rest = {k: v for k, v in value.items() if k != key}
        prefix = json.dumps(rest, ensure_ascii=True, allow_nan=True)[:-1]
        joiner = ", " if rest else ""
        return f"{prefix}{joiner}{json.dumps(key)}: {inner}}}".encode()
    if mangle == "cut":
        return text[: draw(st.integers(0, max(len(text) - 1, 0)))].encode()
    if mangle == "bytes":
        return draw(st.binary(max_size=40))
    if mangle == "giant" and isinstance(value, dict):
        return json.dumps({**value, "padding": "x" * 900_000}).encode()
    return text.encode()


# -- the app and the contract -------------------------------------------------------


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _no_errors_logged() -> Iterator[None]:
    handler = _Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
    assert [r.getMessage() for r in handler.records] == []


def _app() -> Starlette:
    return create_app(
        {"adder": adding_agent(), "ops": Agent(FunctionModel(deleter), tools=[delete_file])},
        max_body_bytes=1_000_000,
    )


def _client(app: Starlette) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")


def _headers(content_type: str | None) -> dict[str, str]:
    return {} if content_type is None else {"content-type": content_type}


async def _threads(app: Starlette) -> dict[str, list[str]]:
    out = {}
    for name in ("adder", "ops"):
        store = app.state.served.agents.get(name).thread_store
        assert isinstance(store, InMemoryThreadStore)
        out[name] = await store.list_threads(limit=10_000)
    return out


def _frames(text: str) -> list[Any]:
    frames = [f.removeprefix("data: ") for f in text.split("\n\n") if f.startswith("data: ")]
    return [frame if frame == "[DONE]" else _strict(frame) for frame in frames]


def _strict(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} in an answer")

    return json.loads(text, parse_constant=refuse)


async def _check(app: Starlette, http: httpx.AsyncClient, method: str, path: str, **kw: Any) -> int:
    """Send one request and check the contract; its status."""
    before = await _threads(app)
    async with asyncio.timeout(TIMEOUT):
        response = await http.request(method, path, **kw)
    status = response.status_code
    assert status < 500, response.text
    state = app.state.served.state
    assert (state.active_runs, state.active_streams) == (0, 0)
    if status >= 400:
        assert response.headers["content-type"] == "application/json", response.text
        error = _strict(response.text)["error"]
        assert isinstance(error["message"], str) and error["message"]
        assert isinstance(error["type"], str)
        assert await _threads(app) == before  # a refused request writes no thread
        return status
    if response.headers["content-type"].startswith("text/event-stream"):
        frames = _frames(response.text)
        assert frames, "an empty stream"
        for frame in frames:
            assert frame == "[DONE]" or (
                "error" not in frame and frame.get("type") != "RUN_ERROR"
            ), frame
    else:
        _strict(response.text)
    return status


def _run(check: Any) -> None:
    with _no_errors_logged():
        asyncio.run(check())


@SETTINGS
@given(body=bodies(CHAT), content_type=CONTENT_TYPE)
def test_any_chat_completion_body_is_answered_or_refused_with_a_json_error(
    body: bytes, content_type: str | None
) -> None:
    async def check() -> None:
        app = _app()
        async with _client(app) as http:
            await _check(
                app,
                http,
                "POST",
                "/v1/chat/completions",
                content=body,
                headers=_headers(content_type),
            )

    _run(check)


@SETTINGS
@given(
    body=bodies(RUN_INPUT),
    content_type=CONTENT_TYPE,
    agent=st.sampled_from(["adder", "ops", "nobody"]),
)
def test_any_agui_run_input_is_answered_or_refused_with_a_json_error(
    body: bytes, content_type: str | None, agent: str
) -> None:
    async def check() -> None:
        app = _app()
        async with _client(app) as http:
            await _check(
                app,
                http,
                "POST",
                f"/v1/agents/{agent}/runs",
                content=body,
                headers=_headers(content_type),
            )

    _run(check)


RUN_ID_EDITS = st.sampled_from(["none", "agent", "thread", "pause", "kind", "junk", "append"])


@SETTINGS
@given(body=bodies(APPROVALS), content_type=CONTENT_TYPE, edit=RUN_ID_EDITS, junk=TEXT)
def test_any_approval_leaves_a_refused_run_waiting(
    body: bytes, content_type: str | None, edit: str, junk: str
) -> None:
    """The approvals route, with any body and a real, forged or altered run id: a refused
    approval runs no tool and leaves the run resumable by the right decision."""

    async def check() -> None:
        ran.clear()
        app = _app()
        async with _client(app) as http:
            chat = {"model": "ops", "messages": [{"role": "user", "content": "delete /tmp/x"}]}
            run_id = (await http.post("/v1/chat/completions", json=chat)).json()["locus"]["run_id"]
            forged = _forge(run_id, edit, junk)
            url = f"/v1/agents/ops/runs/{_quoted(forged)}/approvals"
            status = await _check(
                app, http, "POST", url, content=body, headers=_headers(content_type)
            )
            if status < 400:
                return
            assert ran == []  # a refused approval ran nothing
            right = {"approvals": {"call-9": {"approved": False, "reason": "no"}}}
            resumed = await http.post(f"/v1/agents/ops/runs/{run_id}/approvals", json=right)
            assert resumed.status_code == 200
            assert _frames(resumed.text)[-1]["type"] == "RUN_FINISHED"

    _run(check)


def _forge(run_id: str, edit: str, junk: str) -> str:
    """``run_id`` altered in one part (``run.<kind>.<agent>.<thread>.<pause>``)."""
    parts = run_id.split(".", 4)
    safe = junk.encode("utf-8", "surrogatepass").hex()[:16] or "x"
    if edit == "agent":
        parts[2] = "adder"
    elif edit == "thread":
        parts[3] = safe
    elif edit == "pause":
        parts[4] = safe
    elif edit == "kind":
        parts[1] = "t"
    elif edit == "junk":
        return junk or "_"
    elif edit == "append":
        parts[4] += "." + safe
    return ".".join(parts)


@SETTINGS
@given(
    thread=st.text(st.one_of(st.characters(), _SURROGATE), max_size=12),
    query=st.dictionaries(
        st.sampled_from(["agent", "limit", "prefix", "cursor", "order"]), TEXT, max_size=4
    ),
    method=st.sampled_from(["GET", "DELETE", "PUT"]),
)
def test_any_thread_id_and_query_is_answered_or_refused_with_a_json_error(
    thread: str, query: dict[str, str], method: str
) -> None:
    async def check() -> None:
        app = _app()
        async with _client(app) as http:
            path = "/v1/threads/" + _quoted(thread, safe="/")
            encoded = "&".join(f"{k}={_quoted(v)}" for k, v in query.items())
            await _check(app, http, method, f"{path}?{encoded}")
            await _check(app, http, "GET", f"/v1/threads?{encoded}")

    _run(check)


def _quoted(text: str, safe: str = "") -> str:
    """``text`` percent-encoded as UTF-8, a lone surrogate as the three bytes UTF-8 would
    give it (which are not UTF-8: what a careless client sends)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe=safe)


@SETTINGS
@given(
    headers=st.lists(
        st.tuples(
            st.sampled_from([b"authorization", b"content-type", b"content-length", b"x-x"]),
            st.binary(max_size=24).filter(lambda v: b"\r" not in v and b"\n" not in v),
        ),
        max_size=3,
    ),
    path=st.sampled_from(
        ["/v1/chat/completions", "/v1/agents/adder/runs", "/healthz", "/v1/models"]
    ),
)
def test_any_headers_are_answered_or_refused_with_a_json_error(
    headers: list[tuple[bytes, bytes]], path: str
) -> None:
    """Raw header bytes (any, latin-1 included) straight to the ASGI app, with a token set."""

    async def check() -> None:
        app = create_app({"adder": adding_agent()}, token="s3cret")
        sent: list[dict[str, Any]] = []
        body = json.dumps({"model": "adder", "messages": [{"role": "user", "content": "hi"}]})
        messages = [{"type": "http.request", "body": body.encode(), "more_body": False}]

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop(0)
            await asyncio.Event().wait()  # (the client stays until the answer is whole)
            raise AssertionError

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST" if path.startswith("/v1/") and "models" not in path else "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"serve"), *headers],
            "client": ("127.0.0.1", 50000),
            "server": ("serve", 80),
            "state": {},
        }
        async with asyncio.timeout(TIMEOUT):
            await app(scope, receive, send)  # type: ignore[arg-type]
        start = sent[0]
        assert start["type"] == "http.response.start" and start["status"] < 500
        if start["status"] >= 400:
            body_bytes = b"".join(m.get("body", b"") for m in sent[1:])
            assert json.loads(body_bytes)["error"]["message"]

    _run(check)
