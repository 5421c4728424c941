"""``/admin/*``: change faults and pacing at run time; answers only on loopback.

``GET /admin/state`` (the fault plans, the faults that ``fired`` so far by kind, and the
settings); ``POST /admin/faults`` ``{"target", "sequence", "rate", "kinds", "seed"}``
(an empty body clears); ``POST /admin/settings`` with :class:`Knobs` fields;
``POST /admin/reset`` clears faults and their counts and restores default settings.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from locus.emulator._errors import ApiError, bad_request
from locus.emulator.routes._answer import Arrival, guarded
from locus.emulator.routes._service import Service, parse_body
from locus.emulator.wire import json_response

__all__ = ["admin"]

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@guarded()
async def admin(service: Service, request: Request, arrival: Arrival) -> Response:
    """Dispatch an admin request (403 unless the peer is on loopback)."""
    _check_loopback(request)
    action = request.path_params["action"]
    if action != "state" or request.method != "GET":
        await _change(service, action, await request.body())
    return json_response(_state(service), arrival.request_id)


def _check_loopback(request: Request) -> None:
    host = request.client.host if request.client else ""
    if host not in _LOOPBACK:
        raise ApiError(403, "NotAllowed", "The admin route answers only on loopback")


async def _change(service: Service, action: str, body: bytes) -> None:
    values = parse_body(body) if body.strip() else {}
    try:
        if action == "faults":
            service.faults.configure(values)
        elif action == "settings":
            service.knobs.update(values)
        elif action == "reset":
            service.reset()
        else:
            raise ApiError(404, "NotFound", f"unknown admin action {action}")
    except (ValueError, TypeError) as exc:
        raise bad_request(str(exc)) from exc


def _state(service: Service) -> dict[str, object]:
    return {
        "faults": service.faults.describe(),
        "fired": service.faults.fired(),
        "settings": service.knobs.describe(),
    }
