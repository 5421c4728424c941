"""What adversarial requests found in the request parsers, one test each: every refusal
is a 4xx with a JSON error saying what is wrong, before any run starts or thread is
written (the property tests in ``test_requests_fuzzed.py`` search for more)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.applications import Starlette

from locus.agent import Agent
from locus.serve import create_app
from locus.stores import InMemoryThreadStore
from locus.testing import FunctionModel
from tests.unit.serve.conftest import AppClient, adding_agent
from tests.unit.serve.test_approvals import delete_file, deleter, ran

JSON = {"content-type": "application/json"}
USER = '{"role": "user", "content": "add"}'


def _chat_text(**fields: str) -> bytes:
    """A chat body with raw JSON texts as the values of ``fields`` (NaN, escapes...)."""
    parts = {"model": '"adder"', "messages": f"[{USER}]", **fields}
    return ("{" + ", ".join(f'"{k}": {v}' for k, v in parts.items()) + "}").encode()


def _error(response: Any, status: int, text: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert text in response.json()["error"]["message"]


def _store(app: Starlette, name: str = "adder") -> InMemoryThreadStore:
    store = app.state.served.agents.get(name).thread_store
    assert isinstance(store, InMemoryThreadStore)
    return store


async def test_a_body_nested_past_the_limit_is_400_not_500(
    app: Starlette, client: AppClient
) -> None:
    """json.loads raised RecursionError (a 500) for a body nested ~100,000 deep."""
    http = client(app)
    for depth in (200_000, 5_000, 129):
        nested = "[" * depth + "]" * depth
        response = await http.post(
            "/v1/chat/completions", content=_chat_text(metadata=nested), headers=JSON
        )
        _error(response, 400, "nests deeper than 128 levels")
    fine = "[" * 100 + "]" * 100
    ok = await http.post("/v1/chat/completions", content=_chat_text(metadata=fine), headers=JSON)
    assert ok.status_code == 200


async def test_nan_infinity_and_overflowing_numbers_are_not_json(
    app: Starlette, client: AppClient
) -> None:
    """Python's json read NaN, Infinity and 1e999 (inf), which JSON has not and a store
    cannot keep; the body was accepted."""
    http = client(app)
    for value in ("NaN", "-Infinity", "Infinity", "1e999", "-1e400"):
        response = await http.post(
            "/v1/chat/completions", content=_chat_text(temperature=value), headers=JSON
        )
        _error(response, 400, "the body is not JSON")


async def test_lone_surrogates_in_ids_are_refused_and_in_text_are_escaped(
    client: AppClient,
) -> None:
    """A thread id with a lone surrogate was a 500 (the store could not encode it), left
    a thread that broke GET /v1/threads with a 500, and an AG-UI threadId or runId with
    one broke the event stream (a 200 with an empty body)."""
    app = create_app({"adder": adding_agent()})
    http = client(app)
    response = await http.post(
        "/v1/chat/completions", content=_chat_text(thread_id='"\\ud800"'), headers=JSON
    )
    _error(response, 400, "'thread_id' holds a lone UTF-16 surrogate")
    for field in ("threadId", "runId"):
        body = f'{{"{field}": "a\\udfffb", "messages": [{USER}]}}'.encode()
        response = await http.post("/v1/agents/adder/runs", content=body, headers=JSON)
        _error(response, 400, f"'{field}' holds a lone UTF-16 surrogate")
    assert (await http.get("/v1/threads")).json()["threads"] == []
    # in a message the surrogate is the user's text: it runs, and answers stay JSON
    text = '[{"role": "user", "content": "\\ud800 hi"}]'
    for stream in ("false", "true"):
        response = await http.post(
            "/v1/chat/completions", content=_chat_text(messages=text, stream=stream), headers=JSON
        )
        assert response.status_code == 200


async def test_a_lone_surrogate_in_streamed_text_is_sent_as_its_json_escape(
    client: AppClient,
) -> None:
    """A model's text (or a denial's reason, echoed in a tool result) with a lone
    surrogate ended the stream with a UnicodeEncodeError (RUN_ERROR, or no body)."""

    def echo(messages: list[Any], tools: object) -> str:
        return f"echo: {messages[-1].content}"

    app = create_app({"e": Agent(FunctionModel(echo))})
    http = client(app)
    body = b'{"model": "e", "messages": [{"role": "user", "content": "x\\ud83dy"}]}'
    whole = await http.post("/v1/chat/completions", content=body, headers=JSON)
    assert whole.json()["choices"][0]["message"]["content"] == "echo: x\ud83dy"
    stream = body[:-1] + b', "stream": true}'
    frames = (await http.post("/v1/chat/completions", content=stream, headers=JSON)).text
    data = [f.removeprefix("data: ") for f in frames.split("\n\n") if f.startswith("data: ")]
    deltas = [json.loads(d)["choices"][0]["delta"].get("content", "") for d in data[:-2]]
    assert "".join(deltas) == "echo: x\ud83dy" and data[-1] == "[DONE]"
    agui = b'{"threadId": "t", "messages": [{"role": "user", "content": "\\udc00"}]}'
    events = (await http.post("/v1/agents/e/runs", content=agui, headers=JSON)).text
    kinds = [json.loads(f[6:])["type"] for f in events.split("\n\n") if f.startswith("data: ")]
    assert kinds[-1] == "RUN_FINISHED"


async def test_malformed_history_messages_are_400(app: Starlette, client: AppClient) -> None:
    """``tool_calls`` that was not a list raised TypeError (500); arguments that were no
    object ("[1]", "NaN", a list of pairs), calls without an id or a name, tool results
    for no call, a text part whose text was not a string and image parts without a URL
    (sent on as the image "None") were accepted."""
    http = client(app)
    user = {"role": "user", "content": "add"}

    def assistant(**call: Any) -> dict[str, Any]:
        return {"role": "assistant", "content": None, "tool_calls": [call]}

    def function(arguments: Any) -> dict[str, Any]:
        return {"name": "add_two_numbers", "arguments": arguments}

    cases: list[tuple[list[Any], str]] = [
        ([{"role": "assistant", "content": None, "tool_calls": 5}, user], "must be a list"),
        ([assistant(id="c1", function=function("[1]")), user], "must be a JSON object"),
        ([assistant(id="c1", function=function("NaN")), user], "is not JSON"),
        ([assistant(id="c1", function=function([["a", 1]])), user], "must be a JSON object"),
        ([assistant(id="c1", function=function('{"a": 1e999}')), user], "is not JSON"),
        ([assistant(function=function("{}")), user], "needs an 'id'"),
        ([assistant(id="c1", function={"arguments": "{}"}), user], "needs an 'id'"),
        ([{"role": "tool", "content": "42", "tool_call_id": "zz"}, user], "answers no tool call"),
        ([{"role": "tool", "content": "42"}, user], "needs 'tool_call_id'"),
        ([{"role": "user", "content": [{"type": "text", "text": {"a": 1}}]}], "a string"),
        ([{"role": "user", "content": [{"type": "image_url"}]}], "an https: or data: URL"),
        ([{"role": "user", "content": [{"type": "image_url", "image_url": 5}]}], "https:"),
        (
            [{"role": "user", "content": [{"type": "image_url", "image_url": "file:///x"}]}],
            "an https: or data: URL",
        ),
        (
            [
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "data:a;base64,@@"}}],
                }
            ],
            "invalid base64",
        ),
    ]
    for messages, text in cases:
        response = await http.post(
            "/v1/chat/completions", json={"model": "adder", "messages": messages}
        )
        _error(response, 400, text)
    answered = [
        assistant(id="c1", function=function('{"a": 1, "b": 2}')),
        {"role": "tool", "content": "3", "tool_call_id": "c1"},
        {"role": "user", "content": [{"type": "image_url", "image_url": "data:a;base64,AAAA"}]},
    ]
    ok = await http.post("/v1/chat/completions", json={"model": "adder", "messages": answered})
    assert ok.status_code == 200
    assert app.state.served.state.runs_started == 1


async def test_wrong_types_of_the_chat_options_are_400(app: Starlette, client: AppClient) -> None:
    """An empty thread_id was refused with a message about message_history= (an
    argument the client never sent); "stream": "no" streamed; stream_options of another
    type was ignored."""
    http = client(app)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"thread_id": ""}, "'thread_id' must be a non-empty string"),
        ({"stream": "no"}, "'stream' must be true or false"),
        ({"stream": 1}, "'stream' must be true or false"),
        ({"stream_options": 5}, "'stream_options' must be an object"),
    ]
    for extra, text in cases:
        payload = {"model": "adder", "messages": [{"role": "user", "content": "add"}], **extra}
        _error(await http.post("/v1/chat/completions", json=payload), 400, text)
    assert app.state.served.state.runs_started == 0


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
async def test_a_body_declared_as_another_type_is_415(
    app: Starlette, client: AppClient, content_type: str
) -> None:
    """A cross-site form or text/plain post (no CORS preflight) ran the agent, auth off."""
    body = _chat_text()
    for path in ("/v1/chat/completions", "/v1/agents/adder/runs"):
        response = await client(app).post(
            path, content=body, headers={"content-type": content_type}
        )
        _error(response, 415, "send 'Content-Type: application/json'")
        assert response.json()["error"]["code"] == "unsupported_media_type"
    assert app.state.served.state.runs_started == 0
    for declared in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = await client(app).post(
            "/v1/chat/completions", content=body, headers={"content-type": declared}
        )
        assert response.status_code == 200


async def test_unknown_routes_and_methods_answer_json(app: Starlette, client: AppClient) -> None:
    """Starlette's own 404 and 405 were plain text, so a forged run id with a '/' (which
    no route matches) was the one refusal that was not a JSON error."""
    http = client(app)
    forged = await http.post("/v1/agents/adder/runs/run.c.adder.//8.p/approvals", json={})
    _error(forged, 404, "no route")
    assert forged.json()["error"]["type"] == "not_found"
    wrong = await http.put("/healthz")
    _error(wrong, 405, "PUT is not allowed on /healthz")
    assert wrong.headers["allow"]


async def test_a_thread_listing_limit_must_be_positive(app: Starlette, client: AppClient) -> None:
    """limit=-5 listed nothing (a slice to the fifth from the end) instead of refusing."""
    http = client(app)
    for limit in ("-5", "0", "x", "9" * 5000):
        _error(await http.get("/v1/threads", params={"limit": limit}), 400, "positive integer")
    assert (await http.get("/v1/threads", params={"limit": "99999999"})).status_code == 200


def _ops() -> Starlette:
    ran.clear()
    return create_app({"ops": Agent(FunctionModel(deleter), tools=[delete_file])})


async def _paused_run(http: Any) -> str:
    payload = {"model": "ops", "messages": [{"role": "user", "content": "delete /tmp/x"}]}
    run_id: str = (await http.post("/v1/chat/completions", json=payload)).json()["locus"]["run_id"]
    return run_id


async def test_malformed_decisions_are_400_and_the_run_stays_resumable(
    client: AppClient,
) -> None:
    """Approved arguments that were no object (5, [1]) ran into a TypeError after the
    pause was claimed: a RUN_ERROR, and the run was gone for good. A reason that was no
    string became its repr; a denial's reason with a lone surrogate ended the stream with
    a UnicodeEncodeError. An unknown or missing call id was a RUN_ERROR in a 200 stream."""
    app = _ops()
    http = client(app)
    run_id = await _paused_run(http)
    url = f"/v1/agents/ops/runs/{run_id}/approvals"
    cases: list[tuple[bytes, str]] = [
        (b'{"call-9": {"approved": true, "arguments": 5}}', "'arguments' must be an object"),
        (b'{"call-9": {"approved": true, "arguments": [1]}}', "'arguments' must be an object"),
        (b'{"call-9": {"approved": false, "reason": 7}}', "'reason' must be a string"),
        (b'{"call-9": {"approved": true, "arguments": {"p": NaN}}}', "is not JSON"),
        (b'{"\\ud800": {"approved": true}}', "lone UTF-16 surrogate"),
        (b'{"call-9": {"approved": true}, "call-x": {"approved": true}}', "unknown ['call-x']"),
    ]
    for approvals, text in cases:
        body = b'{"approvals": ' + approvals + b"}"
        _error(await http.post(url, content=body, headers=JSON), 400, text)
    assert ran == [] and app.state.served.state.runs_started == 1
    denial = b'{"approvals": {"call-9": {"approved": false, "reason": "no \\ud800"}}}'
    events = (await http.post(url, content=denial, headers=JSON)).text
    last = json.loads([f for f in events.split("\n\n") if f.startswith("data: ")][-1][6:])
    assert last["type"] == "RUN_FINISHED" and ran == []
    assert (await http.get("/v1/threads")).json()["threads"] == []  # claimed, then deleted


async def test_an_agui_resume_with_nothing_to_resume_is_refused_before_the_stream(
    client: AppClient,
) -> None:
    """A resume on a thread with no paused run, or with a decision for another call, was
    a RUN_ERROR inside a 200 stream; an interruptId that was an object became its repr."""
    app = _ops()
    http = client(app)

    def resume(thread: str, interrupt: Any) -> dict[str, Any]:
        entry = {"interruptId": interrupt, "status": "resolved", "payload": {"approved": True}}
        return {"threadId": thread, "messages": [], "resume": [entry]}

    _error(await http.post("/v1/agents/ops/runs", json=resume("t9", "call-9")), 404, "t9")
    message = [{"role": "user", "content": "delete /tmp/x"}]
    await http.post("/v1/agents/ops/runs", json={"threadId": "t1", "messages": message})
    _error(await http.post("/v1/agents/ops/runs", json=resume("t1", {"a": 1})), 400, "interruptId")
    _error(await http.post("/v1/agents/ops/runs", json=resume("t1", "call-8")), 400, "call-8")
    assert ran == []
    done = await http.post("/v1/agents/ops/runs", json=resume("t1", "call-9"))
    assert done.status_code == 200 and ran == ["/tmp/x"]
    again = await http.post("/v1/agents/ops/runs", json=resume("t1", "call-9"))
    _error(again, 409, "already resumed")
    assert (await http.get("/v1/threads")).json()["threads"] == ["t1"]
