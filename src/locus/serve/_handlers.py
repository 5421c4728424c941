"""The run routes: OpenAI chat completions and AG-UI runs (streamed, or whole)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from locus.agent import RunEvent
from locus.serve import _approvals
from locus.serve._agents import is_structured
from locus.serve._agui import AGUIEncoder
from locus.serve._convert import BadRequest, error_status
from locus.serve._openai import chat_chunks, completion_body, error_body, parse_chat
from locus.serve._runner import RunRequest, counted, drain
from locus.serve._served import Served, error_response, read_json, served
from locus.serve._stream import EventStream, sse

__all__ = ["agui_events", "chat_completions", "resume_run", "run_agent"]


def _refuse_when_draining(app: Served) -> Response | None:
    if app.state.draining:
        return error_response(503, "the server is shutting down; retry on another", "unavailable")
    return None


def _agent_or_404(app: Served, name: str) -> Any:
    agent = app.agents.get(name)
    if agent is None:
        raise LookupError(f"no agent named {name!r}; this server serves {app.agents.names()}")
    return agent


async def chat_completions(request: Request) -> Response:
    """``POST /v1/chat/completions``."""
    app = served(request)
    if (busy := _refuse_when_draining(app)) is not None:
        return busy
    try:
        name, run, stream, include_usage = parse_chat(await read_json(request))
        agent = _agent_or_404(app, name)
    except BadRequest as exc:
        return error_response(400, str(exc), "invalid_request_error")
    except LookupError as exc:
        return error_response(404, str(exc), "invalid_request_error", "model_not_found")
    structured = is_structured(agent)
    events = counted(agent, run, app.state)

    def on_paused(result: Any) -> str:
        run_id = f"run-{uuid.uuid4().hex}"  # unguessable: it resumes the run
        app.state.paused[run_id] = _approvals.paused(name, result)
        return run_id

    if stream:
        chunks = chat_chunks(
            name, events, structured=structured, include_usage=include_usage, on_paused=on_paused
        )
        return EventStream(chunks, app.state)
    try:
        result = await drain(events)
    except Exception as exc:
        return JSONResponse(error_body(exc), status_code=error_status(exc)[0])
    run_id = on_paused(result) if getattr(result, "pending", None) else ""
    return JSONResponse(completion_body(name, result, structured, run_id))


async def run_agent(request: Request) -> Response:
    """``POST /v1/agents/{name}/runs``: an AG-UI ``RunAgentInput`` in, AG-UI events out."""
    app = served(request)
    if (busy := _refuse_when_draining(app)) is not None:
        return busy
    try:
        agent = _agent_or_404(app, request.path_params["name"])
        thread_id, run_id, prompt, resume = _approvals.parse_run_input(await read_json(request))
    except BadRequest as exc:
        return error_response(400, str(exc), "invalid_request_error")
    except LookupError as exc:
        return error_response(404, str(exc), "not_found")
    name = request.path_params["name"]
    encoder = AGUIEncoder(thread_id, run_id, structured=is_structured(agent))
    if resume is not None:
        try:
            _approvals.decisions(resume)
        except BadRequest as exc:
            return error_response(400, str(exc), "invalid_request_error")
        events = _approvals.resumed(agent, thread_id, resume, app.state)
    else:
        assert prompt is not None
        events = counted(agent, RunRequest(prompt, thread_id), app.state)
    chunks = agui_events(encoder, events, app, name)
    return EventStream(chunks, app.state)


async def agui_events(
    encoder: AGUIEncoder, events: AsyncIterator[RunEvent], app: Served, name: str
) -> AsyncIterator[bytes]:
    """The SSE body of an AG-UI run: ``RUN_STARTED`` ... ``RUN_FINISHED`` or ``RUN_ERROR``."""
    for item in encoder.started():
        yield _frame(item)
    try:
        async for event in events:
            for item in encoder.encode(event):
                if item["type"] == "RUN_FINISHED" and "outcome" in item:
                    app.state.paused[encoder.run_id] = _approvals.paused_on_thread(
                        name, encoder.thread_id
                    )
                yield _frame(item)
    except Exception as exc:  # the run failed after the stream began: RUN_ERROR ends it
        for item in encoder.failed(exc):
            yield _frame(item)


def _frame(item: dict[str, Any]) -> bytes:
    return sse(json.dumps(item, ensure_ascii=False, separators=(",", ":")))


async def resume_run(request: Request) -> Response:
    """``POST /v1/agents/{name}/runs/{run_id}/approvals``: resume a paused run, AG-UI out."""
    app = served(request)
    name, run_id = request.path_params["name"], request.path_params["run_id"]
    record = app.state.paused.get(run_id)
    if record is None or record.agent != name:
        return error_response(404, f"no run {run_id!r} of {name!r} awaits approval", "not_found")
    try:
        agent = _agent_or_404(app, name)
        payloads = _approvals.parse_approvals(await read_json(request))
        _approvals.decisions(payloads)  # a malformed decision is a 400, before the stream
    except BadRequest as exc:
        return error_response(400, str(exc), "invalid_request_error")
    except LookupError as exc:
        return error_response(404, str(exc), "not_found")
    del app.state.paused[run_id]
    thread_id = record.thread_id or run_id
    encoder = AGUIEncoder(thread_id, f"run-{uuid.uuid4().hex}", structured=is_structured(agent))
    events = _approvals.resumed(agent, record.thread_id, payloads, app.state, record.state)
    return EventStream(agui_events(encoder, events, app, name), app.state)
