"""A2A (Agent2Agent protocol 1.0): each agent's card and its JSON-RPC endpoint.

- ``GET /a2a/{name}/.well-known/agent-card.json``: the card of the agent ``name``; its
  interface is ``POST /a2a/{name}`` (JSON-RPC). ``GET /.well-known/agent-card.json`` is
  the card of the only agent of a server that serves one.
- Methods: ``SendMessage`` (runs the agent, answers with the finished task, or at once
  with ``returnImmediately``), ``SendStreamingMessage`` (the task, then its status and
  artifact updates as SSE; ``_a2a_send``), ``SubscribeToTask`` (a running task's further
  events, as SSE; ``_a2a_subscribe``), ``GetTask``, ``CancelTask`` (cancels the run),
  ``ListTasks`` (a context's tasks). A
  message's ``contextId`` is the agent's thread: a later message with it continues the
  conversation. A run paused for approval ends its task ``input-required``; a message to
  that task with the decisions resumes it (``_a2a_resume``). Anything else is a JSON-RPC
  error with the protocol's code.

Requests pass the app's guard like every route (bearer token, body size, requests in
flight per client); tasks are kept in the app's memory (``_a2a_tasks``) and recorded in
their context's thread metadata, where every process sharing the store finds them
(``_a2a_records``, ``_a2a_keeping``, ``_a2a_find``, ``_a2a_list``); a task whose process
is gone is answered failed there (``_a2a_orphans``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from locus.serve._a2a_card import agent_card
from locus.serve._a2a_find import find_task, not_cancelable
from locus.serve._a2a_list import list_tasks
from locus.serve._a2a_send import history_length, send, store_of, tasks_of
from locus.serve._a2a_subscribe import subscribe
from locus.serve._a2a_tasks import TaskRecord
from locus.serve._a2a_wire import RPCError, error_envelope, result_envelope
from locus.serve._convert import BadRequest
from locus.serve._served import (
    JSONAnswer,
    UnsupportedMediaType,
    error_response,
    read_json,
    served,
)

__all__ = ["AUTH_KEY", "a2a_rpc", "agent_card_of", "only_agent_card"]

AUTH_KEY = "a2a_auth"
"""The ``app.state`` attribute saying whether the app requires a bearer token (set by
``create_app``; the cards then declare it)."""
CARD_PATH = "/.well-known/agent-card.json"
log = logging.getLogger("locus.serve")
_PUSH = (
    "CreateTaskPushNotificationConfig",
    "GetTaskPushNotificationConfig",
    "ListTaskPushNotificationConfigs",
    "DeleteTaskPushNotificationConfig",
)


async def only_agent_card(request: Request) -> Response:
    """``GET /.well-known/agent-card.json``: the card of a server's only agent."""
    names = served(request).agents.names()
    if len(names) != 1:
        message = (
            f"this server serves several agents ({', '.join(names)}): each has its card at "
            f"/a2a/{{name}}{CARD_PATH}"
        )
        return error_response(404, message, "not_found")
    return _card(request, names[0])


async def agent_card_of(request: Request) -> Response:
    """``GET /a2a/{name}/.well-known/agent-card.json``."""
    return _card(request, request.path_params["name"])


def _card(request: Request, name: str) -> Response:
    agent = served(request).agents.get(name)
    if agent is None:
        return _no_agent(request, name)
    endpoint = f"{str(request.base_url).rstrip('/')}/a2a/{name}"
    auth = bool(getattr(request.app.state, AUTH_KEY, False))
    return JSONAnswer(agent_card(name, agent, endpoint, auth=auth))


def _no_agent(request: Request, name: str) -> Response:
    names = served(request).agents.names()
    return error_response(404, f"no agent named {name!r}; this server serves {names}", "not_found")


async def a2a_rpc(request: Request) -> Response:
    """``POST /a2a/{name}``: one JSON-RPC request to the agent ``name``."""
    name = request.path_params["name"]
    if served(request).agents.get(name) is None:
        return _no_agent(request, name)
    try:
        body = await read_json(request)
    except UnsupportedMediaType as exc:
        return _error(None, RPCError(-32600, str(exc)), status_code=415)
    except BadRequest as exc:
        return _error(None, RPCError(-32700, str(exc)))
    request_id = _request_id(body)
    try:
        method, params = _envelope(body)
        _check_version(request.headers.get("a2a-version"))
        return await _dispatch(request, name, request_id, method, params)
    except RPCError as exc:
        return _error(request_id, exc)
    except Exception as exc:  # a fault of the server's: named by its type only, logged
        log.error("A2A request to %r failed", name, exc_info=exc)
        return _error(request_id, RPCError(-32603, f"internal error ({type(exc).__name__})"))


def _error(request_id: Any, error: RPCError, status_code: int = 200) -> Response:
    return JSONAnswer(error_envelope(request_id, error), status_code=status_code)


def _request_id(body: Any) -> Any:
    """The request's id, when it is one JSON-RPC allows (a string, a number or null)."""
    found = body.get("id") if isinstance(body, dict) else None
    return found if isinstance(found, str | int | float) and not isinstance(found, bool) else None


def _envelope(body: Any) -> tuple[str, dict[str, Any]]:
    """``(method, params)`` of a JSON-RPC 2.0 request (batches are not supported)."""
    if not isinstance(body, dict):
        raise RPCError(-32600, "the body must be one JSON-RPC 2.0 request object (no batches)")
    if body.get("jsonrpc") != "2.0":
        raise RPCError(-32600, "'jsonrpc' must be \"2.0\"")
    request_id = body.get("id")
    if isinstance(request_id, bool) or not isinstance(request_id, str | int | float | None):
        raise RPCError(-32600, "'id' must be a string, a number or null")
    method = body.get("method")
    if not isinstance(method, str) or not method:
        raise RPCError(-32600, "'method' must name an A2A method, e.g. \"SendMessage\"")
    params = body.get("params", {})
    if not isinstance(params, dict):
        raise RPCError.invalid_params("'params' must be an object")
    return method, params


def _check_version(declared: str | None) -> None:
    """A request declaring another protocol version than 1.x (the ``A2A-Version`` header)
    is refused; one declaring none is served as 1.0."""
    if declared is None or not declared.strip():
        return
    if declared.strip().split(".")[0] != "1":
        raise RPCError(
            -32009,
            f"A2A version {declared.strip()!r} is not supported: this server speaks A2A 1.0 "
            "(send 'A2A-Version: 1.0')",
        )


async def _dispatch(
    request: Request, name: str, request_id: Any, method: str, params: dict[str, Any]
) -> Response:
    if method in ("SendMessage", "SendStreamingMessage"):
        return await send(request, name, request_id, params, stream=method != "SendMessage")
    if method == "SubscribeToTask":
        return await subscribe(request, name, request_id, params)
    store = store_of(request, name)
    if method == "GetTask":
        record = await find_task(tasks_of(request), store, name, params.get("id"))
        task = record.json(history_length(params.get("historyLength")))
        return JSONAnswer(result_envelope(request_id, task))
    if method == "CancelTask":
        record = await find_task(tasks_of(request), store, name, params.get("id"))
        await _cancel(record)
        return JSONAnswer(result_envelope(request_id, record.json()))
    if method == "ListTasks":
        listed = await list_tasks(tasks_of(request), store, name, params)
        return JSONAnswer(result_envelope(request_id, listed))
    if method in _PUSH:
        raise RPCError(
            -32003,
            "push notifications are not supported: follow a task with "
            "SendStreamingMessage, or poll it with GetTask",
        )
    if method == "GetExtendedAgentCard":
        raise RPCError(
            -32007,
            f"there is no extended agent card: the card is the one at /a2a/{name}{CARD_PATH}",
        )
    if "/" in method:  # the method names of A2A 0.3 ("message/send", "tasks/get", ...)
        raise RPCError(
            -32009,
            f"{method!r} is a method of A2A 0.3: this server speaks A2A "
            "1.0 (SendMessage, SendStreamingMessage, SubscribeToTask, GetTask, CancelTask, "
            "ListTasks)",
        )
    raise RPCError(
        -32601,
        f"no method {method!r}: use SendMessage, SendStreamingMessage, SubscribeToTask, "
        "GetTask, CancelTask or ListTasks",
    )


async def _cancel(record: TaskRecord) -> None:
    """Cancel the task's run (in this process) and wait for it to end (``canceled``)."""
    refused = not_cancelable(record)
    if refused is not None:
        raise refused
    driver = record.driver
    assert driver is not None
    driver.cancel()
    await asyncio.wait((driver,))
