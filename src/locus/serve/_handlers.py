"""The run routes: OpenAI chat completions and AG-UI runs (streamed, or whole)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from locus.agent import RunEvent, RunFinished
from locus.agent._ids import new_id
from locus.core.errors import AlreadyResumedError
from locus.serve import _approvals, _paused
from locus.serve._agents import is_structured
from locus.serve._agui import AGUIEncoder
from locus.serve._convert import BadRequest, error_status
from locus.serve._expiry import maybe_sweep
from locus.serve._failures import log_failure
from locus.serve._openai import ROUTE, chat_chunks, completion_body, error_body, parse_chat
from locus.serve._runner import RunRequest, counted, finished
from locus.serve._served import JSONAnswer, Served, error_response, read_json, refusal, served
from locus.serve._stream import EventStream, done_unless_gone, sse

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
        return refusal(exc)
    except LookupError as exc:
        return error_response(404, str(exc), "invalid_request_error", "model_not_found")
    structured = is_structured(agent)
    on_paused = _keeper(app, name, agent)
    if stream:
        events = counted(agent, run, app.state, served_as=name)
        chunks = chat_chunks(
            name, events, structured=structured, include_usage=include_usage, on_paused=on_paused
        )
        return EventStream(chunks, app.state)
    whole = finished(agent, run, app.state, served_as=name)
    runner = asyncio.get_running_loop().create_task(whole)
    if not await done_unless_gone(request.receive, runner):
        return Response(
            status_code=499
        )  # the client left: its run was cancelled, no one reads this
    try:
        result = runner.result()
        run_id = await on_paused(result) if getattr(result, "pending", None) else ""
    except Exception as exc:
        return _failed(name, ROUTE, exc)
    return JSONAnswer(completion_body(name, result, structured, run_id))


def _failed(name: str, route: str, exc: Exception) -> JSONAnswer:
    """The answer to a run (or its resume) that failed before its stream began; logged."""
    log_failure(name, route, exc)
    return JSONAnswer(error_body(exc), status_code=error_status(exc)[0])


def _route(request: Request) -> str:
    return f"{request.method} {request.url.path}"


OnPaused = Callable[[Any], Awaitable[str]]
"""Keeps a run that paused for approval where any process finds it; returns its run id."""


def _keeper(app: Served, name: str, agent: Any, *, own_thread: bool = False) -> OnPaused:
    async def on_paused(result: Any) -> str:
        await _sweep(app)
        now = app.clock()
        return await _paused.register(
            name, agent, result, app.state, own_thread=own_thread, now=now
        )

    return on_paused


async def _sweep(app: Served) -> None:
    """Remove expired parked runs, if a sweep is due (``_expiry``)."""
    await maybe_sweep(app.agents, app.state, app.paused_ttl, app.clock)


async def run_agent(request: Request) -> Response:
    """``POST /v1/agents/{name}/runs``: an AG-UI ``RunAgentInput`` in, AG-UI events out."""
    app = served(request)
    if (busy := _refuse_when_draining(app)) is not None:
        return busy
    try:
        agent = _agent_or_404(app, request.path_params["name"])
        thread_id, run_id, prompt, resume = _approvals.parse_run_input(await read_json(request))
    except BadRequest as exc:
        return refusal(exc)
    except LookupError as exc:
        return error_response(404, str(exc), "not_found")
    name = request.path_params["name"]
    encoder = AGUIEncoder(thread_id, run_id, structured=is_structured(agent))
    if resume is not None:
        try:
            _approvals.decisions(resume)
            ttl, now = app.paused_ttl, app.clock()
            pending = await _paused.on_thread(agent, thread_id, ttl=ttl, now=now)
            if pending is not None:
                _paused.check_decisions(pending, resume)
        except (BadRequest, LookupError, AlreadyResumedError) as exc:
            return _resume_refusal(exc)
        except Exception as exc:  # the store failed: said by type, logged
            return _failed(name, _route(request), exc)
        events = _approvals.resumed(agent, thread_id, resume, app.state)
    else:
        assert prompt is not None
        events = counted(agent, RunRequest(prompt, thread_id), app.state, served_as=name)
    chunks = agui_events(encoder, events, _keeper(app, name, agent), (name, _route(request)))
    return EventStream(chunks, app.state)


async def agui_events(
    encoder: AGUIEncoder,
    events: AsyncIterator[RunEvent],
    on_paused: OnPaused,
    where: tuple[str, str],
) -> AsyncIterator[bytes]:
    """The SSE body of an AG-UI run: ``RUN_STARTED`` ... ``RUN_FINISHED`` or ``RUN_ERROR``.
    A paused run's ``RUN_FINISHED`` carries ``locus.runId``, its id for the approvals route.
    ``where``: the agent's name and the route, for the log line of a failed run."""
    for item in encoder.started():
        yield _frame(item)
    try:
        async for event in events:
            items = encoder.encode(event)
            if isinstance(event, RunFinished) and getattr(event.result, "pending", None):
                items[-1]["locus"] = {"runId": await on_paused(event.result)}
            for item in items:
                yield _frame(item)
    except Exception as exc:  # the run failed after the stream began: RUN_ERROR ends it
        log_failure(*where, exc)
        for item in encoder.failed(exc):
            yield _frame(item)


def _resume_refusal(exc: BadRequest | LookupError | AlreadyResumedError) -> Response:
    """The answer to a resume refused before it started (by run id or AG-UI ``resume``)."""
    if isinstance(exc, BadRequest):
        return refusal(exc)
    if isinstance(exc, _paused.PausedRunExpired):
        return error_response(410, str(exc), "not_found", "paused_run_expired")
    if isinstance(exc, LookupError):
        return error_response(404, str(exc), "not_found")
    return error_response(409, str(exc), "conflict_error")


def _frame(item: dict[str, Any]) -> bytes:
    return sse(json.dumps(item, ensure_ascii=False, separators=(",", ":")))


async def resume_run(request: Request) -> Response:
    """``POST /v1/agents/{name}/runs/{run_id}/approvals``: resume a paused run, AG-UI out."""
    app = served(request)
    if (busy := _refuse_when_draining(app)) is not None:
        return busy
    name, run_id = request.path_params["name"], request.path_params["run_id"]
    try:
        agent = _agent_or_404(app, name)
        ttl, now = app.paused_ttl, app.clock()
        record = await _paused.find(name, agent, run_id, app.state, ttl=ttl, now=now)
        if record is None:
            raise LookupError(f"no run {run_id!r} of {name!r} awaits approval")
        payloads = _approvals.parse_approvals(await read_json(request))
        _approvals.decisions(payloads)  # a malformed decision is a 400, before the stream
        _paused.check_decisions([p.id for p in record.state.pending], payloads)
    except (BadRequest, LookupError, AlreadyResumedError) as exc:
        return _resume_refusal(exc)
    except Exception as exc:  # the store failed: said by type, logged
        return _failed(name, _route(request), exc)
    finally:  # (after ``find``, which says 410 for the run it expires itself)
        await _sweep(app)
    app.state.paused.pop(run_id, None)  # (held in memory: this process resumes it now)
    thread_id = record.thread_id
    events = _approvals.resumed(agent, thread_id, payloads, app.state, record.state)
    if record.own_thread:
        events = _paused.forgetting(agent, record, events, app.clock)
    encoder = AGUIEncoder(thread_id or run_id, f"run-{new_id()}", structured=is_structured(agent))
    on_paused = _keeper(app, name, agent, own_thread=record.own_thread)
    chunks = agui_events(encoder, events, on_paused, (name, _route(request)))
    return EventStream(chunks, app.state)
