"""Thread routes: ``GET /v1/threads``, ``GET`` and ``DELETE /v1/threads/{id}``.

A thread lives in its agent's thread store. With several agents on different stores,
``?agent=NAME`` says which; with one store it may be left out. A paused run's pending
calls (kept in the thread's metadata under ``locus.paused_run``) are shown with it.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from locus.core.errors import ConfigurationError
from locus.serve._convert import message_json
from locus.serve._paused import PAUSED_KEY, thread_run_id
from locus.serve._served import JSONAnswer, error_response, served

__all__ = ["delete_thread", "get_thread", "list_threads"]


def _store(request: Request) -> tuple[str, Any] | Response:
    try:
        return served(request).agents.store_for(request.query_params.get("agent"))
    except LookupError as exc:
        return error_response(404, str(exc), "not_found")
    except ValueError as exc:
        return error_response(400, str(exc), "invalid_request_error")


async def get_thread(request: Request) -> Response:
    """A thread's messages (and pending approvals); 404 for a thread with none."""
    found = _store(request)
    if isinstance(found, Response):
        return found
    name, store = found
    thread_id = request.path_params["thread_id"]
    messages = await store.load(thread_id)
    metadata = await _metadata(store, thread_id)
    if not messages and not metadata:
        message = f"no thread {thread_id!r} in the thread store of agent {name!r}"
        return error_response(404, message, "not_found")
    body: dict[str, Any] = {
        "id": thread_id,
        "agent": name,
        "messages": [message_json(m) for m in messages],
        "pending": _pending(name, thread_id, metadata),
    }
    return JSONAnswer(body)


async def _metadata(store: Any, thread_id: str) -> dict[str, Any]:
    get = getattr(store, "get_metadata", None)
    return dict(await get(thread_id)) if get is not None else {}


def _pending(name: str, thread_id: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """The calls the run paused on the thread waits for, each with ``run_id``: the id of
    that run for ``POST /v1/agents/{name}/runs/{run_id}/approvals``."""
    paused = metadata.get(PAUSED_KEY)
    if not isinstance(paused, dict) or paused.get("resumed"):
        return []
    calls = paused.get("pending")
    found = [c for c in calls if isinstance(c, dict)] if isinstance(calls, list) else []
    run_id = thread_run_id(name, thread_id, paused)
    return [{**c, "run_id": run_id} if run_id else c for c in found]


async def delete_thread(request: Request) -> Response:
    """Forget a thread: 204, or 501 when its store cannot delete."""
    found = _store(request)
    if isinstance(found, Response):
        return found
    name, store = found
    delete = getattr(store, "delete", None)
    if delete is None:
        return error_response(
            501, f"the thread store of agent {name!r} cannot delete threads", "unsupported"
        )
    await delete(request.path_params["thread_id"])
    return Response(status_code=204)


async def list_threads(request: Request) -> Response:
    """Thread ids, most recently changed first (``?order=oldest``: least recently), a page
    of ``?limit=`` (at most 1000) with ``?prefix=``; ``next_cursor`` (``null`` at the end)
    goes back as ``?cursor=`` with the same prefix and order for the next page."""
    found = _store(request)
    if isinstance(found, Response):
        return found
    name, store = found
    query = request.query_params
    paging, listing = getattr(store, "page_threads", None), getattr(store, "list_threads", None)
    if paging is None and listing is None:
        return error_response(
            501, f"the thread store of agent {name!r} cannot list threads", "unsupported"
        )
    limit = _limit(query.get("limit", "100"))
    if limit is None:
        message = "'limit' must be a positive integer (at most 1000 are listed)"
        return error_response(400, message, "invalid_request_error")
    order = query.get("order", "newest")
    if order not in ("newest", "oldest"):
        message = f"'order' must be 'newest' or 'oldest', got {order!r}"
        return error_response(400, message, "invalid_request_error")
    prefix, cursor = query.get("prefix"), query.get("cursor") or None  # empty: the first page
    if paging is None:
        assert listing is not None
        if cursor is not None or order == "oldest":
            message = (
                f"the thread store of agent {name!r} lists threads but cannot page nor "
                "list oldest first"
            )
            return error_response(501, message, "unsupported")
        ids, next_cursor = await listing(limit=limit, prefix=prefix), None
    else:
        try:
            ids, next_cursor = await paging(
                limit=limit, prefix=prefix, cursor=cursor, oldest_first=order == "oldest"
            )
        except ConfigurationError as exc:
            return error_response(400, str(exc), "invalid_request_error")
    return JSONAnswer({"agent": name, "threads": list(ids), "next_cursor": next_cursor})


def _limit(text: str) -> int | None:
    try:
        limit = int(text)
    except ValueError:
        return None
    return min(limit, 1000) if limit >= 1 else None
