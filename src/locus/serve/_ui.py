"""The chat page: one static HTML file with its script inline, served at ``/``."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

__all__ = ["chat_page", "page_html"]


@cache
def page_html() -> str:
    """The page's text (read from the package once)."""
    return files("locus.serve").joinpath("static/chat.html").read_text("utf-8")


async def chat_page(request: Request) -> Response:
    headers = {
        "cache-control": "no-cache",
        "content-security-policy": (
            "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            "connect-src 'self'; img-src 'self' data:"
        ),
    }
    return HTMLResponse(page_html(), headers=headers)
